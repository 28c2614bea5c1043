"""Conversion: funnel shares, rates with Wilson intervals, fair cohorts, days to decision."""

import polars as pl
import streamlit as st

from dashboard import downloads
from dashboard.shell import context
from werkpad.rendering import charts

GROUPS = {"project_code": "project", "region_code": "region", "partner_code": "partner"}

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
now = ctx.headline()
rows = [
    {
        t("column.group"): t.metric(name),
        t("column.reached"): t.count(now[name]),
        t("conversion.of_previous"): t.rate(now[previous]) if previous else "",
        t("conversion.of_first"): t.rate(now[first]) if first else t.rate(1 if now[name] else None),
    }
    for name, (previous, first) in SHARES.items()
]
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
