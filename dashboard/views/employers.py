"""Employer network (issue 13): the companies that take participants, and what it leads to.

Placements are selected by where their trajectory lies and by when they started; a filter
about the person does not apply and the page says so (for_placements).
"""

import polars as pl
import streamlit as st

from dashboard import data, downloads
from dashboard.shell import context
from werkpad import metrics
from werkpad.rendering import charts

PER_ROW = 4
SERIES = ("employers_active", "employers_new", "employers_repeat", "employers_total")
BREAKDOWNS = ("placement_type", "employer_sector", "employer_economy")

ctx, ignored = context().for_placements()
t = ctx.t
st.title(t("nav.employers"))
if ignored:
    st.info(
        t("employers.ignored", filters=", ".join(t(f"filter.{k}") for k in ignored)),
        icon=":material/info:",
    )
# returning employers need a period to look back from: without one, nothing lies before
PERIOD_ONLY = set() if "reached_from" in ctx.filters else {"repeat_employer_rate"}
now = ctx.placement_headline()
if not now["placements"]:  # none (0) or withheld (None): say which, draw nothing
    reason = "employers.none" if now["placements"] == 0 else "app.all_withheld"
    st.info(t(reason), icon=":material/info:")
    st.stop()
CARDS = [n for n in metrics.shown("employers") if n not in PERIOD_ONLY]  # metrics.yaml `shown`
for start in range(0, len(CARDS), PER_ROW):
    for column, name in zip(st.columns(PER_ROW), CARDS[start : start + PER_ROW], strict=False):
        fmt = t.rate if metrics.is_rate(name) else t.count
        column.metric(t.metric(name), fmt(now[name]), help=t(f"metric_help.{name}"), border=True)
st.caption(t("employers.period_note") + (f" {t('employers.repeat_note')}" if PERIOD_ONLY else ""))

growth = data.network_growth(ctx.version, ctx.key, ctx.threshold)
long = growth.unpivot(
    index="started_quarter", on=list(SERIES), variable_name="measure", value_name="employers"
)
fig = charts.lines(
    long, "started_quarter", "employers", t, t("employers.growth_title"),
    t("axis.started_quarter"), t("axis.employers"), by="measure",
    labels={name: t.metric(name) for name in SERIES}, quarters=True,
)  # fmt: skip
downloads.chart(fig, growth, "network_growth", ctx)

for column, kind in zip(st.columns(len(BREAKDOWNS)), BREAKDOWNS, strict=True):
    counts = ctx.placement_grouped((kind,), ("placements",))
    with column:
        fig = charts.bar(
            counts, kind, "placements", t, t(f"employers.by_{kind}"), t("axis.placements")
        )
        downloads.chart(fig, counts, f"placements_by_{kind}", ctx)


def readable(frame: pl.DataFrame, group: str) -> pl.DataFrame:
    """A table as a person reads it: names for codes, Belgian numbers, the symbol."""
    named = (
        pl.col(group).replace(ctx.names.get(group.removesuffix("_code"), {}))
        if group.endswith("_code")
        else pl.col(group).map_elements(lambda v: t.category(group, v), return_dtype=pl.String)
    )
    shown = frame.with_columns(named.alias(group))
    for name in frame.columns[1:]:
        fmt = t.rate if metrics.is_rate(name) else t.count
        shown = shown.with_columns(
            pl.col(name).map_elements(fmt, return_dtype=pl.String).fill_null(t.missing)
        )
    return shown.rename({group: t(f"column.{group}")} | {c: t.metric(c) for c in frame.columns[1:]})


st.subheader(t("employers.outcomes_title"))
st.caption(t("employers.outcomes_note"))
per_type = ctx.placement_grouped(("placement_type",), tuple(metrics.shown("employers_per_type")))
downloads.table(per_type, "placements_outcomes", ctx, display=readable(per_type, "placement_type"))
places = ["project_code", *(["partner_code"] if ctx.user.partner_detail else [])]
for group in places:  # funders see no partner breakdown, as on every page
    st.subheader(t(f"employers.per_{group}"))
    shown = [n for n in metrics.shown("employers_per_place") if n not in PERIOD_ONLY]
    table = ctx.placement_grouped((group,), tuple(shown))
    downloads.table(table, f"employers_per_{group}", ctx, display=readable(table, group))
