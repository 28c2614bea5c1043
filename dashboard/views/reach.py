"""Reach: people reached by province, subregion, partner and partner type, over time, ramp-up."""

import polars as pl
import streamlit as st

from dashboard import downloads
from dashboard.shell import context
from werkpad import config
from werkpad.rendering import charts

ctx = context()
t = ctx.t
st.title(t("nav.reach"))
BREAKDOWNS = [
    ("province_code", "reach.by_province", "province"),
    ("region_code", "reach.by_region", "region"),
    ("partner_code", "reach.by_partner", "partner"),
    ("partner_type", "reach.by_partner_type", None),
]
if not ctx.user.partner_detail:  # funders: Flanders-wide and per-project aggregates only
    BREAKDOWNS = [b for b in BREAKDOWNS if b[0] not in ("region_code", "partner_code")]
columns = st.columns(2)
for column, (group, title, kind) in zip(columns * 2, BREAKDOWNS, strict=False):
    frame = ctx.grouped((group,), ("reached",))
    if group == "partner_code":
        frame = frame.sort("reached", descending=True).head(config.TOP_PARTNERS)
    labels = ctx.names.get(kind) if kind else None
    with column:
        fig = charts.bar(frame, group, "reached", t, t(title), t("axis.people"), labels=labels)
        downloads.chart(fig, frame, group.removesuffix("_code"), ctx)
over_time = ctx.grouped(("reached_month", "province_code"), ("reached",))
fig = charts.lines(
    over_time,
    "reached_month",
    "reached",
    t,
    t("reach.over_time"),
    t("axis.month"),
    t("axis.people"),
    by="province_code",
    labels=ctx.names["province"],
)
downloads.chart(fig, over_time, "reach_over_time", ctx)
ramp = ctx.grouped(("partner_month",), ("reached", "partners_active", "reach_per_partner")).filter(
    pl.col("partner_month") <= config.RAMP_UP_MONTHS_SHOWN
)
fig = charts.lines(
    ramp,
    "partner_month",
    "reach_per_partner",
    t,
    t("reach.ramp_up"),
    t("axis.months_since_first_contact"),
    t("axis.reach_per_partner"),
)
fig.add_vline(x=config.RAMP_UP_MARK_MONTHS, line_dash="dot", line_color=charts.NEUTRAL)
st.caption(t("reach.ramp_up_note"))
downloads.chart(fig, ramp, "partner_ramp_up", ctx)
