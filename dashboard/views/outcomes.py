"""Outcomes: step types, NEC/SEC, sustained employment, early stops and warm handovers."""

import polars as pl
import streamlit as st

from dashboard import downloads
from dashboard.shell import context
from werkpad import metrics
from werkpad.rendering import charts

ctx = context()
t = ctx.t
st.title(t("nav.outcomes"))
cards = metrics.shown("outcomes")  # metrics.yaml `shown`
now = ctx.headline(only=tuple(cards))
for column, name in zip(st.columns(len(cards)), cards, strict=True):
    fmt = t.rate if metrics.is_rate(name) else t.count
    column.metric(t.metric(name), fmt(now[name]), help=t(f"metric_help.{name}"), border=True)
left, right = st.columns(2)
steps = ctx.grouped(("step_type",), ("stepped",))
steps = steps.filter(pl.col("step_type").is_not_null())
with left:
    fig = charts.bar(
        steps, "step_type", "stepped", t, t("outcomes.step_types_title"), t("axis.people")
    )
    downloads.chart(fig, steps, "step_types", ctx)
circuits = ctx.grouped(("job_circuit",), ("job_started", "sustained_3m"))
circuits = circuits.filter(pl.col("job_circuit").is_not_null())
with right:
    fig = charts.bar(
        circuits, "job_circuit", "job_started", t, t("outcomes.circuit_title"), t("axis.people")
    )
    downloads.chart(fig, circuits, "job_circuit", ctx)
stops = ctx.grouped(
    ("end_reason",),
    ("early_stops", "early_stops_warm_handover", "warm_handover_rate"),
)
# reasons with early stops; a withheld count stays as a withheld bar, never dropped
stops = stops.filter(
    pl.col("end_reason").is_not_null(),
    (pl.col("early_stops") > 0) | pl.col("early_stops").is_null(),
)
fig = charts.bar(
    stops, "end_reason", "early_stops", t, t("outcomes.early_stops_title"), t("axis.people")
)
downloads.chart(fig, stops, "early_stops", ctx)
