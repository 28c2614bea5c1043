"""Conversion: funnel shares, rates with Wilson intervals, fair cohorts, days to decision."""

import polars as pl
import streamlit as st

from werkpad.dashboard import charts, downloads
from werkpad.dashboard.shell import context

FUNNEL = ["reached", "exploring", "decided", "stepped", "trajectory_started", "job_started"]
GROUPS = {"project_code": "project", "region_code": "region", "partner_code": "partner"}

ctx = context()
t = ctx.t
if not ctx.user.partner_detail:  # funders: per-project aggregates only
    GROUPS = {"project_code": "project"}
st.title(t("nav.conversion"))
now = ctx.headline()
rows = []
for i, name in enumerate(FUNNEL):
    previous = now[FUNNEL[i - 1]] if i else None
    count = now[name]

    def share(base: int | None, count: int | None = count) -> str:
        """A share of a shown count; withheld (or empty) when either count is."""
        return t.rate(count / base) if base and count is not None else t.rate(None)

    rows.append(
        {
            t("column.group"): t.metric(name),
            t("column.reached"): t.count(count),
            t("conversion.of_previous"): share(previous) if i else "",
            t("conversion.of_first"): share(now["reached"]),
        }
    )
st.subheader(t("conversion.funnel_title"))
downloads.table(pl.DataFrame(rows), "funnel_shares", ctx)
st.metric(t("conversion.median_days"), t.number(now["median_days_to_decision"], 0))
group = st.segmented_control(
    t("conversion.by"),
    list(GROUPS),
    default="project_code",
    key="conversion_by",
    format_func=lambda g: t(f"filter.{GROUPS[g]}"),
)
group = group or "project_code"
rates = ctx.grouped(
    (group,),
    ("decided", "stepped", "step_rate", "step_rate_low", "step_rate_high"),
)
fig = charts.rates_with_interval(
    rates, group, "step_rate", t, t("conversion.rates_title"), ctx.names[GROUPS[group]]
)
downloads.chart(fig, rates, f"step_rate_by_{GROUPS[group]}", ctx)
cohorts = ctx.grouped(("reached_quarter",), ("step_rate_3m", "step_rate_6m", "step_rate_12m"))
long = cohorts.unpivot(index="reached_quarter", variable_name="window", value_name="rate")
fig = charts.lines(
    long.drop_nulls("rate"),
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
