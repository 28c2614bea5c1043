"""A page asks only for the figures it shows (figures.headline `only`): each one is exactly
what the full headline publishes, for steering and for a suppressed role, whatever the
selection. A count's fate depends on its own family and the counts it lies within, never on
which other metrics were asked."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from werkpad import figures, metrics
from werkpad.warehouse import connect_read_only

SHOWN = [("reached",), tuple(metrics.shown("overview")), tuple(metrics.shown("outcomes")),
         ("stepped", "step_rate"), ("job_started", "nec_share")]  # fmt: skip


@pytest.fixture(scope="module")
def con(loaded):
    connection = connect_read_only(loaded[0] / "warehouse.duckdb")
    yield connection
    connection.close()


@st.composite
def selections(draw) -> dict:
    chosen: dict = {}
    if draw(st.booleans()):
        chosen["province"] = [draw(st.sampled_from(["ANT", "LIM", "OVL", "VBR", "WVL"]))]
    if draw(st.booleans()):
        chosen["gender"] = draw(st.lists(st.sampled_from(["F", "M", "X"]), min_size=1,
                                         unique=True))  # fmt: skip
    if draw(st.booleans()):
        year = draw(st.sampled_from([2021, 2022, 2023]))
        chosen |= {"reached_from": dt.date(year, 1, 1), "reached_to": dt.date(year, 12, 31)}
    return chosen


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(selections(), st.sampled_from(SHOWN), st.sampled_from([None, 5, 10]))
def test_only_the_shown_figures_are_the_full_headlines(con, selection, only, threshold):
    full = figures.headline(con, selection, threshold)
    asked = figures.headline(con, selection, threshold, only)
    for name in only:
        assert asked[name] == full[name], (name, selection, threshold)
    assert len(asked) < len(full)  # and fewer were computed
