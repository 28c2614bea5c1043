"""Referral sources: volume and conversion by referral source and partner; a Sankey."""

import polars as pl
import streamlit as st

from dashboard import downloads
from dashboard.shell import context
from werkpad.rendering import charts

ctx = context()
t = ctx.t
st.title(t("nav.referral"))
by_source = ctx.grouped(
    ("referral_source",),
    ("reached", "decided", "stepped", "step_rate", "step_rate_low", "step_rate_high"),
)
left, right = st.columns(2)
with left:
    fig = charts.bar(
        by_source, "referral_source", "reached", t, t("referral.volume_title"), t("axis.people")
    )
    downloads.chart(fig, by_source, "reach_by_referral_source", ctx)
with right:
    fig = charts.rates_with_interval(
        by_source, "referral_source", "step_rate", t, t("conversion.rates_title"), {}
    )
    downloads.chart(fig, by_source, "step_rate_by_referral_source", ctx)
# one published two-way table per step of the Sankey, and each stage's published totals
pairs = list(zip(charts.SANKEY_STAGES, charts.SANKEY_STAGES[1:], strict=False))
steps = [ctx.grouped((a, b), ("reached",)).select(a, b, "reached") for a, b in pairs]
# referral sources' totals size their gathered "x" flows; a decision's total is not published
# beside its outcomes (the headline's decided and stepped could be worked out from them)
sources = charts.SANKEY_STAGES[0]
totals = [dict(ctx.grouped((sources,), ("reached",)).select(sources, "reached").iter_rows()), {}]
flows = pl.concat(
    [step.rename({a: "from", b: "to"}) for step, (a, b) in zip(steps, pairs, strict=True)]
)
sankey = charts.sankey(steps, totals, t, t("referral.sankey_title"))
downloads.chart(sankey, flows, "sankey", ctx)
if ctx.user.partner_detail:  # funders get no partner-level figures
    st.subheader(t("referral.by_partner_title"))
    by_partner = ctx.grouped(("partner_code", "referral_source"), ("reached", "step_rate"))
    by_partner = by_partner.select(
        pl.col("partner_code")
        .replace_strict(ctx.names["partner"], default=pl.col("partner_code"))
        .alias(t("filter.partner")),
        pl.col("referral_source")
        .map_elements(lambda v: t.category("referral_source", v), return_dtype=pl.String)
        .alias(t("filter.referral_source")),
        pl.col("reached").alias(t("column.reached")),
        pl.col("step_rate").alias(t("column.step_rate")),
    )
    rate, reached = t("column.step_rate"), t("column.reached")
    display = by_partner.with_columns(
        pl.col(rate).map_elements(t.rate, return_dtype=pl.String).fill_null(t.missing),
        pl.col(reached).map_elements(t.count, return_dtype=pl.String).fill_null(t.missing),
    )
    downloads.table(by_partner, "referral_by_partner", ctx, display=display)
