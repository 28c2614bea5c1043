"""Overview: headline figures with the change against the previous period, funnel, trend."""

import streamlit as st

from dashboard import data, downloads
from dashboard.shell import context
from werkpad import metrics
from werkpad.metrics import FUNNEL
from werkpad.rendering import charts

HEADLINE = metrics.shown("overview")  # the KPI cards, in order (metrics.yaml `shown`)

ctx = context()
t = ctx.t
st.title(t("nav.overview"))
now = ctx.headline()
before = ctx.headline(ctx.previous) if ctx.previous else None
PER_ROW = 4  # KPI cards in a row: readable on a laptop and a projector
for start in range(0, len(HEADLINE), PER_ROW):
    row = HEADLINE[start : start + PER_ROW]
    for column, name in zip(st.columns(PER_ROW), row, strict=False):
        fmt = t.rate if metrics.is_rate(name) else t.count
        delta = None
        if before and now[name] is not None and before[name] is not None:
            change = now[name] - before[name]
            delta = (t.number(100 * change) + " pp") if metrics.is_rate(name) else t.count(change)
        column.metric(
            t.metric(name), fmt(now[name]), delta=delta, help=t(f"metric_help.{name}"), border=True
        )
steps = [(t.metric(name), now[name]) for name in FUNNEL]
funnel = charts.funnel(steps, t, t("overview.funnel_title"))
downloads.chart(funnel, ctx.grouped((), tuple(FUNNEL)), "funnel", ctx)
trend = ctx.grouped(("reached_month",), ("reached",))
fig = charts.lines(
    trend,
    "reached_month",
    "reached",
    t,
    t("overview.trend_title"),
    t("axis.month"),
    t("axis.people"),
)
downloads.chart(fig, trend, "reached_per_month", ctx)
first = data.table(ctx.version, "data_dates")["first_reached"][0]
downloads.report_pack(ctx, first)
