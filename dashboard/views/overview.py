"""Overview: headline figures with the change against a named comparison period, funnel, trend."""

import polars as pl
import streamlit as st

from dashboard import data, downloads
from dashboard.shell import context
from werkpad import metrics, targets
from werkpad.access import scope_filters
from werkpad.metrics import FUNNEL
from werkpad.rendering import charts
from werkpad.site import current_settings

HEADLINE = metrics.shown("overview")  # the KPI cards, in order (metrics.yaml `shown`)

ctx = context()
t = ctx.t
st.title(t("nav.overview"))
COMPARED = set(metrics.shown("compared"))  # counts of events in each period (metrics.yaml)
now = ctx.headline(only=(*HEADLINE, *FUNNEL))
before = ctx.headline(ctx.previous, tuple(COMPARED)) if ctx.previous else None
PER_ROW = 4  # KPI cards in a row: readable on a laptop and a projector


def change(name: str) -> str | None:
    """The change against the comparison period, naming it; only for like-with-like figures."""
    if not before or name not in COMPARED or now[name] is None or before[name] is None:
        return None
    difference = now[name] - before[name]
    sign = "+" if difference > 0 else ""
    shown = t.number(100 * difference) + " pp" if metrics.is_rate(name) else t.count(difference)
    return f"{sign}{shown} {ctx.compared_with}"


for start in range(0, len(HEADLINE), PER_ROW):
    row = HEADLINE[start : start + PER_ROW]
    for column, name in zip(st.columns(PER_ROW), row, strict=False):
        fmt = t.rate if metrics.is_rate(name) else t.count
        column.metric(
            t.metric(name),
            fmt(now[name]),
            delta=change(name),
            help=t(f"metric_help.{name}"),
            border=True,
        )
if "reached_from" in ctx.filters:  # a period is chosen: say what is (not) compared
    st.caption(t("compare.note", compared=ctx.compared_with) if before else t("compare.none"))
steps = [(t.metric(name), now[name]) for name in FUNNEL]
funnel = charts.funnel(steps, t, t("overview.funnel_title"))
downloads.chart(funnel, ctx.grouped((), tuple(FUNNEL)), "funnel", ctx)
trend = ctx.grouped(("reached_month",), ("reached",))
earlier = None
if ctx.previous:  # the comparison period, moved onto this one's months, drawn faintly
    months = (ctx.filters["reached_from"].year - ctx.previous["reached_from"].year) * 12 + (
        ctx.filters["reached_from"].month - ctx.previous["reached_from"].month
    )
    earlier = ctx.grouped(("reached_month",), ("reached",), previous=True)
    if earlier.is_empty():  # nobody in the comparison period: no faint line to draw
        earlier = None
    else:
        earlier = earlier.with_columns(
            pl.col("reached_month").cast(pl.Date).dt.offset_by(f"{months}mo")
        )
fig = charts.lines(
    trend,
    "reached_month",
    "reached",
    t,
    t("overview.trend_title"),
    t("axis.month"),
    t("axis.people"),
    faint=earlier,
    faint_name=ctx.compared_with,
    every_month=True,
)
downloads.chart(fig, trend, "reached_per_month", ctx)

# Targets of the selection's projects (site's targets.csv): progress, then the running totals
st.subheader(t("targets.title"))
scope = data.freeze(scope_filters(ctx.user))
progress = data.progress(
    ctx.version, ctx.selected_projects(), scope, ctx.threshold, current_settings().bands
)
if not progress:
    st.info(t("targets.none"), icon=":material/flag:")
else:
    shown = targets.frame(progress, t.metric)
    title = targets.title(shown, t)
    downloads.chart(
        charts.target_progress(shown, t, title), targets.table(shown, t), "targets", ctx
    )
    st.caption(t("targets.note"))
    paths = pl.DataFrame(
        [
            {"label": f"{p.project_code} · {t.metric(p.metric)}"} | point
            for p in progress
            if not p.is_rate
            for point in data.cumulative(ctx.version, targets.of(p), scope, ctx.threshold)
        ],
        schema={"label": pl.String, "month": pl.Date, "actual": pl.Float64, "path": pl.Float64},
    )
    fig = charts.target_paths(paths, t, t("targets.cumulative_title"), t("axis.month"))
    downloads.chart(fig, paths, "targets_cumulative", ctx)
first = data.table(ctx.version, "data_dates")["first_reached"][0]
downloads.report_pack(ctx, first)
downloads.submit_pack(ctx, first)
