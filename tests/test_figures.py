"""Published headlines cannot be subtracted into a withheld count.

The attack this guards against: a funder sees gender X withheld, then asks for "F and M" and
for all genders, and subtracts. The oracle is independent of the suppression code: the true
counts come from polars over the generated trajectories, and a leak is a published pair whose
difference equals a true count of 1 to threshold - 1.
"""

from __future__ import annotations

import datetime as dt
import itertools

import duckdb
import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from werkpad import config, figures, metrics

COLUMNS = {p: c for p, c in metrics.PARTS.items() if p not in metrics.FLAG_PARTS}
QUARTERS = [dt.date(2021 + q // 4, 1 + 3 * (q % 4), 1) for q in range(12)]


def _quarter_end(start: dt.date) -> dt.date:
    return (start + dt.timedelta(days=100)).replace(day=1) - dt.timedelta(days=1)


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
    frame = _selected(trajectories, filters)
    return {
        "reached": frame.height,
        "decided": frame.filter(pl.col("decision").is_not_null()).height,
        "stepped": frame.filter(pl.col("decision") == "step_to_work").height,
        "job_started": frame.filter(pl.col("job_started_on").is_not_null()).height,
    }


def _selected(frame: pl.DataFrame, filters: dict) -> pl.DataFrame:
    """The rows of a selection, by polars."""
    for name, chosen in filters.items():
        if name in COLUMNS:
            frame = frame.filter(pl.col(COLUMNS[name]).cast(pl.String).is_in(chosen))
        elif name == "target_group":
            frame = frame.filter(pl.any_horizontal([pl.col(g) for g in chosen]))
        elif name == "scope_province":
            frame = frame.filter(pl.col("province_code").is_in(chosen))
        elif name == "reached_from":
            frame = frame.filter(pl.col("reached_on") >= chosen)
        elif name == "reached_to":
            frame = frame.filter(pl.col("reached_on") <= chosen)
    return frame


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
        filters["reached_to"] = _quarter_end(start)
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
        period = {"reached_from": start, "reached_to": _quarter_end(start)}
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
    @example(  # CI's find: M or X is all less F; less their 30-54 left 3 aged 18-29 or 55+
        base={"gender": ["M", "X"], "reached_from": dt.date(2023, 10, 1),
              "reached_to": dt.date(2023, 12, 31)},
        name="age_group",
    )  # fmt: skip
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


def _leaks(
    con, trajectories: pl.DataFrame, cell_of: pl.Expr, views: list[dict], threshold: int
) -> list:
    """Small counts that add up from the shown headlines of `views`: the cells are the rows'
    values of `cell_of`, each view must be a union of cells, and a leak is a cell (or a pair
    of cells) of 1 to threshold - 1 people whose indicator vector lies in the row space of
    the shown views' vectors. Linear algebra over the true counts, not the suppression code."""
    frame = trajectories.with_columns(cell=cell_of)
    cells = sorted(frame["cell"].unique().to_list())
    conditions = {
        "reached": pl.lit(True),
        "decided": pl.col("decision").is_not_null(),
        "stepped": pl.col("decision") == "step_to_work",
    }
    truth = {
        c: np.array([frame.filter((pl.col("cell") == k) & cond).height for k in cells])
        for c, cond in conditions.items()
    }
    shown: dict[str, list[np.ndarray]] = {c: [] for c in conditions}
    for filters in views:
        inside = set(_selected(frame, filters)["cell"].to_list())
        sizes = _selected(frame, filters).group_by("cell").len()
        whole = frame.filter(pl.col("cell").is_in(list(inside))).group_by("cell").len()
        assert sorted(sizes.rows()) == sorted(whole.rows()), "a view cuts a cell"
        vector = np.array([1.0 if k in inside else 0.0 for k in cells])
        published = figures.headline(con, filters, threshold)
        for c in conditions:
            if published[c] is not None:
                assert published[c] == int(vector @ truth[c]), (filters, c)
                shown[c].append(vector)
    assert len(shown["reached"]) >= len(views) // 4, "most views withheld: the test says little"
    leaks = []
    for c, vectors in shown.items():
        if not vectors:
            continue
        rank = np.linalg.matrix_rank(np.array(vectors))
        small = [i for i, n in enumerate(truth[c]) if 0 < n < threshold]
        probes = [(i,) for i in small] + [
            pair for pair in itertools.combinations(range(len(cells)), 2)
            if truth[c][list(pair)].min() > 0 and 0 < truth[c][list(pair)].sum() < threshold
        ]  # fmt: skip
        for probe in probes:
            unit = np.zeros(len(cells))
            unit[list(probe)] = 1
            if np.linalg.matrix_rank(np.vstack([*vectors, unit])) == rank:
                leaks.append((c, [cells[i] for i in probe]))
    return leaks


def _choices(focus: list[str], every: list[str]) -> list[list[str] | None]:
    """A filter off, each focus value, all values but one, and the focus pair."""
    out: list[list[str] | None] = [None, focus]
    out += [[v] for v in focus] + [[v for v in every if v != f] for f in focus]
    return out


def test_no_small_count_adds_up_along_two_filters_at_once(con, trajectories, values):
    """The audit's attack: gender M or X (2218) less "every region but one, M or X" (2134)
    less "that region, M" (82) left 2 people of gender X in one region. Every view along a
    region and a gender (off, one value, all but one, a pair), whose cells are the focus
    values and the rest of each filter, must leave no small cell derivable."""
    x_by_region = (
        trajectories.filter(pl.col("gender") == "X").group_by("region_code").len().sort("len")
    )
    small = x_by_region.filter(pl.col("len") < config.SUPPRESSION_THRESHOLD)
    assert small.height, "the sample should hold a region with a small count of gender X"
    region = small["region_code"][0]
    regions, genders = [region, values["region"][0]], ["X", "M"]
    if regions[1] == region:
        regions[1] = values["region"][1]
    views = []
    for by_region in _choices(regions, values["region"]):
        for by_gender in _choices(genders, values["gender"]):
            filters = {"region": by_region, "gender": by_gender}
            views.append({k: v for k, v in filters.items() if v})
    cell = pl.concat_str(
        pl.when(pl.col("region_code").is_in(regions)).then(pl.col("region_code"))
        .otherwise(pl.lit("other")),
        pl.when(pl.col("gender").is_in(genders)).then(pl.col("gender"))
        .otherwise(pl.lit("other")),
        separator="/",
    )  # fmt: skip
    assert _leaks(con, trajectories, cell, views, config.SUPPRESSION_THRESHOLD) == []


def test_no_small_count_adds_up_from_periods_of_whole_quarters(con, trajectories, values):
    """Two periods that differ by a quarter tell that quarter: every run of whole quarters,
    for a small region, its complement and everyone, leaves no small quarter derivable."""
    region, scope = _small_region(trajectories)
    trajectories = trajectories.filter(pl.col("province_code") == scope["scope_province"][0])
    regions = trajectories["region_code"].unique().to_list()
    views = []
    for first, last in itertools.combinations_with_replacement(range(12), 2):
        period = {"reached_from": QUARTERS[first], "reached_to": _quarter_end(QUARTERS[last])}
        for chosen in ([region], [v for v in regions if v != region], None):
            views.append(scope | period | ({"region": chosen} if chosen else {}))
    cell = pl.concat_str(
        pl.when(pl.col("region_code") == region).then(pl.lit("in")).otherwise(pl.lit("out")),
        pl.col("reached_on").dt.truncate("1q").cast(pl.String),
        separator="/",
    )
    assert _leaks(con, trajectories, cell, views, config.SUPPRESSION_THRESHOLD) == []


def _small_region(trajectories: pl.DataFrame) -> tuple[str, dict]:
    """A region of 20 people or more, the smallest, with its province as a funder's scope."""
    by_region = trajectories.group_by("region_code", "province_code").len().sort("len")
    row = by_region.filter(pl.col("len") >= 20).row(0, named=True)
    return row["region_code"], {"scope_province": [row["province_code"]]}


def test_periods_a_few_days_apart_tell_nothing(con, trajectories):
    """The audit's other attack: "from the start" 165 less "from 6 February" 164 is 1. A
    period that cuts a quarter with people in the part it leaves out is withheld whole, so
    two shown periods never differ by a small count."""
    region, scope = _small_region(trajectories)
    shown = {}
    for days in range(0, 400, 3):
        start = dt.date(2021, 1, 1) + dt.timedelta(days=days)
        filters = scope | {"region": [region], "reached_from": start}
        value = figures.headline(con, filters, config.SUPPRESSION_THRESHOLD)["reached"]
        if value is not None:
            assert value == _true_counts(trajectories, filters)["reached"]
            shown[start] = value
    assert len(shown) >= 4, "whole quarters (and cuts that hold nobody) stay shown"
    counts = sorted(set(shown.values()))
    gaps = [b - a for a, b in itertools.pairwise(counts)]
    assert not [g for g in gaps if 0 < g < config.SUPPRESSION_THRESHOLD], shown


@st.composite
def unions(draw, values: dict[str, list[str]]):
    """A selection of unions: two values of a filter, two target groups at once, either
    target-group filter: where a sum of withheld cells can be small though no cell is."""
    names = draw(st.lists(st.sampled_from(sorted(COLUMNS)), min_size=0, max_size=2, unique=True))
    filters: dict = {name: draw(st.permutations(values[name]))[:2] for name in names}
    groups = ["mental_health", "addiction", "physical_disability", "migration_background"]
    kind = draw(st.sampled_from(["target_group", "target_group_row"]))
    filters[kind] = draw(st.permutations(groups))[: draw(st.integers(1, 2))]
    if draw(st.booleans()):
        start = draw(st.sampled_from(QUARTERS))
        filters |= {"reached_from": start, "reached_to": _quarter_end(start)}
    return filters


def test_a_shown_headline_is_never_small_nor_a_few_below_a_count_it_lies_within(con):
    """The second audit: "18-29 or 30-54, addiction or mental health, gender X" showed 2
    sustained jobs, and a union showed early stops 16 beside 13 warm handovers. Whatever adds
    up from the table, the headline itself holds no count of 1 to 4 and no such gap up the
    `within` chain (reached, exploring, decided, stepped, ...)."""
    outer = metrics.within()
    counts = {m.name for m in metrics.load_metrics() if m.type == "count"}
    threshold = config.SUPPRESSION_THRESHOLD
    values = {
        p: [str(v[0]) for v in con.execute(f"SELECT DISTINCT {c} FROM marts.fct_trajectories "
                                           f"WHERE {c} IS NOT NULL ORDER BY 1").fetchall()]
        for p, c in COLUMNS.items()
    }  # fmt: skip

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(unions(values))
    def check(filters):
        shown = figures.headline(con, filters, threshold)
        for name, value in shown.items():
            if name not in counts or value is None:
                continue
            assert not 0 < value < threshold, (filters, name, value)
            up = outer.get(name)
            while up:
                if shown.get(up) is not None:
                    assert not 0 < shown[up] - value < threshold, (filters, up, name)
                up = outer.get(up)

    check()


def test_a_time_of_day_in_a_period_bound_tells_nothing(con):
    """A bound of 1 January 00:00:01 leaves 1 January out in SQL: read as a date, it showed
    the year less that day's people. Such a period is withheld whole."""
    period = {"reached_from": dt.datetime(2022, 1, 1, 0, 0, 1), "reached_to": dt.date(2022, 12, 31)}
    shown = figures.headline(con, period, config.SUPPRESSION_THRESHOLD)
    assert shown["reached"] is None
    midnight = period | {"reached_from": dt.datetime(2022, 1, 1)}
    assert figures.headline(con, midnight, config.SUPPRESSION_THRESHOLD)["reached"] is not None
