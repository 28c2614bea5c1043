"""Overview: the headline figures over all of Flanders (filters follow in the dashboard issue)."""

import streamlit as st

from werkpad.dashboard import data
from werkpad.metrics import load_metrics

st.title("werkpad")
_, version = data.connection()
figures = data.headline(version, ())
metrics = [
    m
    for m in load_metrics()
    if m.name
    in (
        "reached",
        "exploring",
        "decided",
        "stepped",
        "step_rate",
        "job_started",
        "nec_share",
        "sustained_3m",
    )
]
for row in (metrics[:4], metrics[4:]):
    for column, metric in zip(st.columns(len(row)), row, strict=True):
        value = figures[metric.name]
        shown = (
            "–"
            if value is None
            else (f"{value:.1%}" if metric.type == "ratio" else f"{value:,}".replace(",", "."))
        )
        column.metric(metric.label, shown, help=metric.description)
