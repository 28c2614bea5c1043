"""Published headlines cannot be subtracted into a withheld count.

The attack this guards against: a funder sees gender X withheld, then asks for "F and M" and
for all genders, and subtracts. The oracle is independent of the suppression code: the true
counts come from polars over the generated trajectories, and a leak is a published pair whose
difference equals a true count of 1 to threshold - 1.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from werkpad import config, figures, metrics

COLUMNS = {p: c for p, c in metrics.PARTS.items() if p not in metrics.FLAG_PARTS}
QUARTERS = [dt.date(2021 + q // 4, 1 + 3 * (q % 4), 1) for q in range(12)]


@pytest.fixture(scope="module")
def con(loaded):
    connection = duckdb.connect(str(loaded[0] / "warehouse.duckdb"), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def trajectories(con) -> pl.DataFrame:
    return con.sql("SELECT * FROM marts.fct_trajectories").pl()


@pytest.fixture(scope="module")
def values(trajectories) -> dict[str, list[str]]:
    """The values each list filter can take, as a user's multiselect offers them."""
    return {
        p: sorted(trajectories[c].drop_nulls().unique().cast(pl.String).to_list())
        for p, c in COLUMNS.items()
    }


def _true_counts(trajectories: pl.DataFrame, filters: dict) -> dict[str, int]:
    """Counts of the selection by polars, from the metric conditions' own columns."""
    frame = trajectories
    for name, chosen in filters.items():
        if name in COLUMNS:
            frame = frame.filter(pl.col(COLUMNS[name]).cast(pl.String).is_in(chosen))
        elif name == "target_group":
            frame = frame.filter(pl.any_horizontal([pl.col(g) for g in chosen]))
        elif name == "reached_from":
            frame = frame.filter(pl.col("reached_on") >= chosen)
        elif name == "reached_to":
            frame = frame.filter(pl.col("reached_on") <= chosen)
    return {
        "reached": frame.height,
        "decided": frame.filter(pl.col("decision").is_not_null()).height,
        "stepped": frame.filter(pl.col("decision") == "step_to_work").height,
        "job_started": frame.filter(pl.col("job_started_on").is_not_null()).height,
    }


@st.composite
def selections(draw, values: dict[str, list[str]]):
    """A random selection: two or three list filters with a proper subset each, often a
    quarter, so that small counts are common."""
    names = draw(st.lists(st.sampled_from(sorted(COLUMNS)), min_size=1, max_size=3, unique=True))
    filters: dict = {}
    for name in names:
        options = values[name]
        k = draw(st.integers(1, max(1, len(options) - 1)))
        filters[name] = sorted(draw(st.permutations(options))[:k])
    if draw(st.booleans()):
        start = draw(st.sampled_from(QUARTERS))
        filters["reached_from"] = start
        filters["reached_to"] = start + dt.timedelta(days=90)
    if draw(st.booleans()):
        filters["target_group"] = [draw(st.sampled_from(["mental_health", "addiction"]))]
    return filters


@pytest.mark.parametrize("threshold", [config.SUPPRESSION_THRESHOLD, config.REPORT_THRESHOLD])
def test_no_withheld_count_is_a_difference_of_a_selection_and_its_complement(
    con, trajectories, values, threshold
):
    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(selections(values))
    def check(filters):
        shown = figures.headline(con, filters, threshold)
        truth = _true_counts(trajectories, filters)
        assert {c: shown[c] for c in truth if shown[c] is not None} == {
            c: v for c, v in truth.items() if shown[c] is not None
        }
        for name in (n for n in filters if n in COLUMNS):
            rest = [v for v in values[name] if v not in filters[name]]
            off = {k: v for k, v in filters.items() if k != name}
            views = {"off": figures.headline(con, off, threshold)}
            if rest:
                views["rest"] = figures.headline(con, off | {name: rest}, threshold)
            rest_truth = _true_counts(trajectories, off | {name: rest}) if rest else None
            for c, true in truth.items():
                if 0 < true < threshold:
                    assert shown[c] is None, (filters, c)
                pair = (views["off"][c], views.get("rest", {}).get(c))
                if None not in pair and 0 < true < threshold:
                    assert pair[0] - pair[1] != true, ("leak", filters, name, c)
                if rest_truth and 0 < rest_truth[c] < threshold and None not in pair:
                    # the other direction: the "all but" view is the one that must not leak
                    assert shown[c] is None or views["off"][c] - shown[c] != rest_truth[c]

    check()


def test_gender_x_cannot_be_recovered_as_all_minus_f_and_m(con, trajectories, values):
    """The finding as reported: pick a quarter where X is small, then subtract."""
    found = 0
    for start in QUARTERS:
        period = {"reached_from": start, "reached_to": start + dt.timedelta(days=90)}
        truth = _true_counts(trajectories, period | {"gender": ["X"]})
        if not 0 < truth["reached"] < config.SUPPRESSION_THRESHOLD:
            continue
        found += 1
        everyone = figures.headline(con, period, config.SUPPRESSION_THRESHOLD)["reached"]
        f_and_m = figures.headline(
            con, period | {"gender": ["F", "M"]}, config.SUPPRESSION_THRESHOLD
        )["reached"]
        assert None in (everyone, f_and_m) or everyone - f_and_m != truth["reached"]
    assert found, "the sample should hold a quarter with a small count of gender X"


def test_without_a_threshold_nothing_is_withheld(con, trajectories):
    shown = figures.headline(con, {"gender": ["X"]})
    assert shown["reached"] == _true_counts(trajectories, {"gender": ["X"]})["reached"]


@pytest.mark.parametrize("threshold", [config.SUPPRESSION_THRESHOLD, config.REPORT_THRESHOLD])
def test_no_withheld_count_is_the_total_minus_every_shown_value(
    con, trajectories, values, threshold
):
    """The review's three-link attack: region LIM-MLI 232, gender F 117, gender M 111, so
    gender X is 4. For a base selection and one more filter, the values whose single-value
    headline is withheld must not add up to a small count when the total is shown."""

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        base=selections(values),
        name=st.sampled_from(["gender", "age_group", "education_level", "referral_source"]),
    )
    def check(base, name):
        base = {k: v for k, v in base.items() if k != name}
        total = figures.headline(con, base, threshold)
        for c in ("reached", "decided", "stepped", "job_started"):
            if total[c] is None:
                continue
            hidden = 0
            for value in values[name]:
                one = base | {name: [value]}
                if figures.headline(con, one, threshold)[c] is None:
                    hidden += _true_counts(trajectories, one)[c]
            assert not 0 < hidden < threshold, ("leak", base, name, c, hidden)

    check()


def test_the_reported_three_links_give_nothing_away(con, trajectories):
    """The review's numbers, as a project lead of Limburg saw them."""
    base = {"project": ["WGTW-LIM"], "region": ["LIM-MLI"]}
    shown = {
        g: figures.headline(con, base | {"gender": [g]}, config.SUPPRESSION_THRESHOLD)["reached"]
        for g in ("F", "M", "X")
    }
    total = figures.headline(con, base, config.SUPPRESSION_THRESHOLD)["reached"]
    x = _true_counts(trajectories, base | {"gender": ["X"]})["reached"]
    if 0 < x < config.SUPPRESSION_THRESHOLD and total is not None:
        assert shown["X"] is None
        assert None in (shown["F"], shown["M"]) or total - shown["F"] - shown["M"] != x
