"""Conversion: funnel shares, rates with Wilson intervals, fair cohorts, days to decision."""

import polars as pl
import streamlit as st

from dashboard import downloads
from dashboard.shell import context
from werkpad.rendering import charts

GROUPS = {"project_code": "project", "region_code": "region", "partner_code": "partner"}


def league_table(rates: pl.DataFrame, before: pl.DataFrame | None, group: str, names, t):
    """The groups with their counts, step rate, 95% interval and change in percentage points
    since the comparison period: the data for download, and a Belgian-formatted twin that
    still sorts on the numbers (a pandas Styler)."""
    frame = rates.select(
        pl.col(group)
        .replace_strict(names, default=pl.col(group))
        .alias(t(f"filter.{GROUPS[group]}")),
        pl.col("reached").alias(t("column.reached")),
        pl.col("decided").alias(t("metric.decided")),
        pl.col("step_rate").alias(t("column.step_rate")),
        pl.col("step_rate_low").alias(t("column.low")),
        pl.col("step_rate_high").alias(t("column.high")),
    )
    change = t("conversion.change")
    if before is not None:
        earlier = dict(zip(before[group], before["step_rate"], strict=True))
        frame = frame.with_columns(
            pl.Series(
                change,
                [None if r is None or earlier.get(g) is None else 100 * (r - earlier[g])
                 for g, r in zip(rates[group], rates["step_rate"], strict=True)],
                dtype=pl.Float64,
            )
        )  # fmt: skip
    counts = [t("column.reached"), t("metric.decided")]
    shares = [t("column.step_rate"), t("column.low"), t("column.high")]
    formats = {c: t.count for c in counts} | {c: t.rate for c in shares}
    if before is not None:
        formats[change] = lambda v: "" if v is None else f"{t.number(v)} pp"
    styled = frame.to_pandas().style.format(formats, na_rep=t.missing)
    return frame, styled


ctx = context()
t = ctx.t
if not ctx.user.partner_detail:  # funders: per-project aggregates only
    GROUPS = {"project_code": "project"}
st.title(t("nav.conversion"))
# each funnel step with its share of the step before and of people reached (metrics.yaml)
SHARES = {
    "reached": (None, None),
    "exploring": ("exploration_rate", "exploration_rate"),
    "decided": ("decided_of_exploring", "decided_of_reached"),
    "stepped": ("step_rate", "stepped_of_reached"),
    "trajectory_started": ("trajectory_started_of_stepped", "trajectory_started_of_reached"),
    "job_started": ("job_started_of_trajectory_started", "job_rate"),
}
now = ctx.headline(
    only=(*SHARES, *(m for pair in SHARES.values() for m in pair if m), "median_days_to_decision")
)
# the figures as numbers for the downloads (rates as fractions), in Belgian words on the page
shares = pl.DataFrame(
    [
        {
            "group": t.metric(name),
            "reached": now[name],
            "of_previous": now[previous] if previous else None,
            "of_first": now[first] if first else (1.0 if now[name] else None),
        }
        for name, (previous, first) in SHARES.items()
    ],
    schema={"group": pl.String, "reached": pl.Int64, "of_previous": pl.Float64,
            "of_first": pl.Float64},
)  # fmt: skip
shown = pl.DataFrame(
    [
        {
            t("column.group"): row["group"],
            t("column.reached"): t.count(row["reached"]),
            t("conversion.of_previous"): t.rate(row["of_previous"]) if previous else "",
            t("conversion.of_first"): t.rate(row["of_first"]),
        }
        for row, (previous, _) in zip(shares.iter_rows(named=True), SHARES.values(), strict=True)
    ]
)
st.subheader(t("conversion.funnel_title"))
downloads.table(shares, "funnel_shares", ctx, display=shown)
st.metric(t("conversion.median_days"), t.number(now["median_days_to_decision"], 0))
if "conversion_by" not in st.session_state:  # a shared link keeps its grouping
    asked = st.query_params.get("by")
    st.session_state["conversion_by"] = asked if asked in GROUPS else "project_code"
    if asked is not None and asked not in GROUPS:  # never silently: say it is not used
        st.warning(t("app.invalid_params", names=t("conversion.by")))
group = st.segmented_control(
    t("conversion.by"),
    list(GROUPS),
    key="conversion_by",
    format_func=lambda g: t(f"filter.{GROUPS[g]}"),
)
group = group or "project_code"
st.query_params["by"] = group
COLUMNS = ("reached", "decided", "stepped", "step_rate", "step_rate_low", "step_rate_high")
rates = ctx.grouped((group,), COLUMNS)
names = ctx.names[GROUPS[group]]
chart_key = f"step_rate_by_{GROUPS[group]}"


def filter_to_clicked() -> None:
    """A click on a point filters the dashboard (and so the URL) to that group."""
    points = st.session_state[f"chart-{chart_key}"].selection.points
    codes = [p["customdata"] for p in points if p.get("customdata")]
    if codes:
        st.session_state[GROUPS[str(group)]] = codes[:1]


fig = charts.funnel_plot(
    rates, group, "step_rate", "decided", t, t("conversion.plot_title"), names, now["step_rate"]
)
downloads.chart(fig, rates, chart_key, ctx, on_select=filter_to_clicked)
st.caption(t("conversion.plot_help"))
before = ctx.grouped((group,), ("step_rate",), previous=True) if ctx.previous else None
league, styled = league_table(rates, before, group, names, t)
downloads.table(league, f"league_{GROUPS[group]}", ctx, display=styled)
WINDOWS = ("3m", "6m", "12m")
cohorts = ctx.grouped(
    ("reached_quarter",),
    tuple(f"{kind}_{w}" for kind in ("step_rate", "observable") for w in WINDOWS),
)
# A cohort too young for a window (nobody observable that long) has no rate and is left out;
# one whose rate is withheld stays on the axis as x, never dropped as if it were too young.
long = pl.concat(
    [
        cohorts.select(
            "reached_quarter",
            pl.lit(f"step_rate_{w}").alias("window"),
            pl.col(f"step_rate_{w}").alias("rate"),
            pl.col(f"observable_{w}").alias("observable"),
        )
        for w in WINDOWS
    ],
    how="vertical_relaxed",  # a window nobody reached yet is a column of nulls
).filter(pl.col("observable").is_null() | (pl.col("observable") > 0))
fig = charts.lines(
    long.drop("observable"),
    "reached_quarter",
    "rate",
    t,
    t("conversion.cohort_title"),
    t("axis.quarter"),
    t("axis.rate"),
    by="window",
    labels={m: t.metric(m) for m in ("step_rate_3m", "step_rate_6m", "step_rate_12m")},
    percent=True,
)
downloads.chart(fig, cohorts, "cohorts", ctx)
