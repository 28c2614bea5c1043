"""Small-count suppression, property-based: nothing below the threshold, nothing derivable.

The derivability check here is independent of the implementation's: a withheld count is safe
when the null space of the table's equations (over the withheld counts) moves it, i.e. some
other filling of the withheld counts satisfies every published total.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from werkpad.disclosure import (
    _row_space,
    _row_space_by_gram,
    close,
    close_remainders,
    close_small_unions,
    protect,
    suppress_counts,
    suppress_grid,
    suppress_nested,
    suppress_rate,
)

grids = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 5).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(0, 40), min_size=cols, max_size=cols), min_size=rows, max_size=rows
        )
    )
)


def _flat(result):
    return [*sum(result.cells, []), *result.row_totals, *result.column_totals, result.total]


def _truth(cells):
    grid = np.array(cells)
    return [*grid.ravel(), *grid.sum(1), *grid.sum(0), grid.sum()]


def _exactly_recoverable(cells, shown) -> list[int]:
    """Withheld published figures (cells and every margin) that the published ones pin down."""
    grid = np.array(cells)
    rows, cols = grid.shape
    # every figure a reader sees, cells and all margins, as variables; equations independent of
    # the implementation: each row sums to its total, each column to its total, totals to total
    n = rows * cols + rows + cols + 1
    equations = []
    for i in range(rows):
        eq = np.zeros(n)
        eq[i * cols : (i + 1) * cols], eq[rows * cols + i] = 1, -1
        equations.append(eq)
    for j in range(cols):
        eq = np.zeros(n)
        eq[j : rows * cols : cols], eq[rows * cols + rows + j] = 1, -1
        equations.append(eq)
    for start, count in ((rows * cols, rows), (rows * cols + rows, cols)):
        eq = np.zeros(n)
        eq[start : start + count], eq[-1] = 1, -1
        equations.append(eq)
    equations = np.array(equations)
    unknown = [i for i, v in enumerate(shown) if v is None]
    if not unknown:
        return []
    _, singular, vt = np.linalg.svd(equations[:, unknown])
    rank = int((singular > 1e-9).sum())
    null_space = vt[rank:]
    return [u for k, u in enumerate(unknown) if np.all(np.abs(null_space[:, k]) < 1e-9)]


@settings(max_examples=300, deadline=None)
@given(cells=grids, threshold=st.integers(2, 10))
def test_no_published_count_below_threshold_and_none_derivable(cells, threshold):
    result = suppress_grid(cells, threshold)
    shown, truth = _flat(result), _truth(cells)
    for value, true in zip(shown, truth, strict=True):
        assert value is None or value == true  # published figures are never altered
        assert value is None or value == 0 or value >= threshold
    assert _exactly_recoverable(cells, shown) == []


def test_single_small_cell_gets_a_complement():
    counts, total = suppress_counts([40, 3, 25, 12], threshold=5)
    assert counts[1] is None and counts.count(None) == 2 and counts[3] is None
    assert total == 80


def test_a_chain_bridge_is_protected():
    # two withheld pairs linked by one cell: without the check that cell would be derivable
    result = suppress_grid([[2, 2, 50], [2, 2, 60], [50, 60, 70]], threshold=5)
    assert _exactly_recoverable([[2, 2, 50], [2, 2, 60], [50, 60, 70]], _flat(result)) == []


def test_large_counts_are_untouched():
    result = suppress_grid([[10, 20], [30, 40]], threshold=5)
    assert result.withheld() == 0


def test_rates_follow_their_counts():
    assert suppress_rate(0.5, 2, 4) is None
    assert suppress_rate(0.5, 10, 20) == 0.5
    assert suppress_rate(0.0, 0, 20) == 0.0
    assert suppress_rate(0.5, None, 20) is None


# --- families of linked tables ------------------------------------------------------------
# A page shows several tables of one selection: the month x province grid, the monthly trend,
# the province bars, the headline. Each is asked for on its own, so each `protect` call below
# stands for one table of one page; the reader combines all of them.


@st.composite
def nested_families(draw):
    """Counts per (region, source) where each region lies in one province (a hierarchy)."""
    provinces = draw(st.integers(1, 3))
    regions = [(r, f"P{p}") for p in range(provinces) for r in range(draw(st.integers(1, 3)))]
    sources = draw(st.integers(1, 3))
    return {
        (f"P{p}", f"{p}-{r}", f"S{s}"): draw(st.integers(0, 25))
        for r, p in regions
        for s in range(sources)
    }


def _published(cells, tables, parents, threshold):
    """Every count a reader sees across the tables: {(grouping, key): shown value or None}."""
    finest = ("province", "region", "source")
    seen: dict[tuple, int | None] = {}
    for groups in tables:
        dims = close(groups, parents)
        sub = {}
        for key, count in cells.items():
            short = tuple(key[finest.index(d)] for d in dims)
            sub[short] = sub.get(short, 0) + count
        pattern = protect(sub, dims, threshold, parents)
        for level, keys in pattern.items():
            names = tuple(sorted(dims[i] for i in level))
            for key, withheld in keys.items():
                named = tuple(sorted(zip((dims[i] for i in level), key, strict=True)))
                value = sum(
                    c for k, c in cells.items() if all(k[finest.index(d)] == v for d, v in named)
                )
                shown = None if withheld else value
                # one count, one fate: every table that shows a total agrees on it
                assert seen.setdefault((names, named), shown) == shown
    return seen, finest


def recoverable(finest: list[dict], seen: dict[tuple, int | None]) -> list[tuple]:
    """Withheld counts pinned down by all published ones together (null-space test).

    `finest` lists the cells a reader cannot see, one {grouping: value} each; `seen` maps every
    count a reader meets, as sorted ((grouping, value), ...) pairs, to its shown value or None
    (two pairs of one grouping: the count over both values, as the headline's decided is).
    A withheld count is safe when some direction of the published counts' null space moves it.
    """
    vectors = {  # a key naming several values of one grouping is their sum
        q: np.array(
            [all(cell[d] in {v for e, v in q if e == d} for d, _ in q) for cell in finest],
            dtype=float,
        )
        for q in seen
    }
    published = np.array([vectors[q] for q, v in seen.items() if v is not None])
    _, singular, vt = np.linalg.svd(published.reshape(-1, len(finest)))
    null_space = vt[int((singular > 1e-9).sum()) :]
    return [
        q
        for q, v in seen.items()
        if v is None and vectors[q].any() and np.all(np.abs(null_space @ vectors[q]) < 1e-9)
    ]


def _recoverable(cells, seen, finest) -> list[tuple]:
    cells_named = [dict(zip(finest, key, strict=True)) for key in sorted(cells)]
    return recoverable(cells_named, {named: v for (_, named), v in seen.items()})


@settings(max_examples=150, deadline=None)
@given(cells=nested_families(), threshold=st.integers(3, 10))
@example(  # once gave up on a level too early and showed x for a 0 another table showed
    cells={
        ("PP0", "P0-0", "S0"): 0,
        ("PP0", "P0-0", "S1"): 0,
        ("PP1", "P1-0", "S0"): 3,
        ("PP1", "P1-0", "S1"): 0,
        ("PP1", "P1-1", "S0"): 1,
        ("PP1", "P1-1", "S1"): 3,
    },
    threshold=3,
)
def test_linked_tables_of_one_page_leak_nothing_together(cells, threshold):
    parents = {"region": ["province"]}
    tables = [
        (),
        ("province",),
        ("region",),
        ("source",),
        ("region", "source"),
        ("province", "source"),
    ]
    seen, finest = _published(cells, tables, parents, threshold)
    assert all(v is None or v == 0 or v >= threshold for v in seen.values())
    assert _recoverable(cells, seen, finest) == []


@settings(max_examples=100, deadline=None)
@given(
    cells=st.integers(1, 3).flatmap(
        lambda a: st.integers(1, 3).flatmap(
            lambda b: st.integers(1, 3).flatmap(
                lambda c: st.fixed_dictionaries(
                    {
                        (f"P{i}", f"R{j}", f"S{k}"): st.integers(0, 20)
                        for i in range(a)
                        for j in range(b)
                        for k in range(c)
                    }
                )
            )
        )
    ),
    threshold=st.integers(3, 10),
)
def test_a_three_way_table_with_its_two_way_totals_leaks_nothing(cells, threshold):
    # the Sankey: referral x decision x outcome, shown beside referral totals and two-way links
    tables = [("province", "region", "source"), ("province",), ("province", "region")]
    seen, finest = _published(cells, tables, {}, threshold)
    assert _recoverable(cells, seen, finest) == []


three_way = st.integers(1, 3).flatmap(
    lambda a: st.integers(1, 3).flatmap(
        lambda b: st.integers(1, 2).flatmap(
            lambda c: st.fixed_dictionaries(
                {
                    (f"G{i}", f"A{j}", f"Q{k}"): st.integers(0, 14)
                    for i in range(a)
                    for j in range(b)
                    for k in range(c)
                }
            )
        )
    )
)


@settings(max_examples=120, deadline=None)
@given(cells=three_way, threshold=st.integers(3, 10))
@example(  # the CI's find in miniature: M or X is all less F; less M 30-54 it leaves 3
    cells={
        ("F", "18-29", "Q"): 5, ("M", "18-29", "Q"): 0, ("X", "18-29", "Q"): 0,
        ("F", "30-54", "Q"): 16, ("M", "30-54", "Q"): 12, ("X", "30-54", "Q"): 0,
        ("F", "55+", "Q"): 5, ("M", "55+", "Q"): 3, ("X", "55+", "Q"): 0,
    },
    threshold=5,
)  # fmt: skip
@example(  # CI's find: G1 x {A1, A2} x Q1 = 2 from coarser counts and zeros of G0 alone
    cells={
        ("G0", "A0", "Q0"): 0, ("G0", "A0", "Q1"): 0, ("G0", "A1", "Q0"): 0,
        ("G0", "A1", "Q1"): 0, ("G0", "A2", "Q0"): 0, ("G0", "A2", "Q1"): 0,
        ("G1", "A0", "Q0"): 0, ("G1", "A0", "Q1"): 5, ("G1", "A1", "Q0"): 0,
        ("G1", "A1", "Q1"): 1, ("G1", "A2", "Q0"): 3, ("G1", "A2", "Q1"): 1,
    },
    threshold=3,
)  # fmt: skip
def test_no_selection_of_withheld_cells_adds_up_to_a_small_count(cells, threshold):
    """A selection (some values of each grouping) with 1 to threshold - 1 people in cells
    that are not shown is never pinned down by what the family publishes at every level.
    The oracle tries every selection against the null space of the published equations, with
    a cell under a published 0 known to be 0 (counts are never negative)."""
    dims = ("gender", "age_group", "quarter")
    pattern = protect(cells, dims, threshold)
    pattern = close_remainders(cells, dims, pattern, threshold)
    pattern = close_small_unions(cells, dims, pattern, threshold)
    keys = sorted(cells)
    shown = [
        [all(key[i] == k for i, k in zip(level, short, strict=True)) for key in keys]
        for level, shorts in pattern.items()
        for short, withheld in shorts.items()
        if not withheld
    ]
    equations = list(shown)
    for row in shown:  # a shown 0: every cell in it is 0
        if sum(cells[k] for k, on in zip(keys, row, strict=True) if on) == 0:
            equations += [[n == m for n in range(len(keys))] for m in np.flatnonzero(row)]
    matrix = np.array(equations, dtype=float).reshape(len(equations), len(keys))
    singular, vt = np.linalg.svd(matrix)[1:] if len(equations) else (np.zeros(0), np.eye(len(keys)))
    null_space = vt[int((singular > 1e-9).sum()) :]
    values = [sorted({k[i] for k in keys}) for i in range(3)]
    leaks = []
    for sets in itertools.product(*(_nonempty_subsets(v) for v in values)):
        inside = [all(k[i] in sets[i] for i in range(3)) for k in keys]
        people = sum(cells[k] for k, on in zip(keys, inside, strict=True) if on)
        pinned = np.abs(null_space @ np.array(inside, dtype=float)).max(initial=0) < 1e-9
        if pinned and 0 < people < threshold:
            leaks.append(sets)
    assert leaks == []


def _nonempty_subsets(values: list) -> list[set]:
    return [set(c) for r in range(1, len(values) + 1) for c in itertools.combinations(values, r)]


def test_a_grid_and_its_trend_agree_on_every_month():
    # month x province, asked for by the reach page, and the months alone, by the overview
    grid = {("2023-01", "ANT"): 3, ("2023-01", "LIM"): 40, ("2023-02", "ANT"): 30}
    grid |= {("2023-02", "LIM"): 2, ("2023-03", "ANT"): 25, ("2023-03", "LIM"): 26}
    both = protect(grid, ("month", "province"), threshold=5)
    months = protect(
        {("2023-01",): 43, ("2023-02",): 32, ("2023-03",): 51}, ("month",), threshold=5
    )
    assert both[(0,)] == months[(0,)]  # the grid's row totals are the trend, withheld alike
    assert both[(0, 1)][("2023-01", "ANT")] and both[(0, 1)][("2023-02", "LIM")]


def test_a_pack_at_ten_withholds_all_the_dashboard_withholds_at_five():
    counts = [3, 12, 8, 40, 41]
    five, _ = suppress_counts(counts, threshold=5)
    ten, _ = suppress_counts(counts, threshold=10)
    assert all(t is None for f, t in zip(five, ten, strict=True) if f is None)


@settings(max_examples=100, deadline=None)
@given(
    grid=st.integers(1, 3).flatmap(
        lambda a: st.integers(1, 4).flatmap(
            lambda b: st.fixed_dictionaries(
                {
                    (f"M{i}", f"P{j}"): st.tuples(st.integers(0, 25), st.integers(0, 8))
                    for i in range(a)
                    for j in range(b)
                }
            )
        )
    ),
    threshold=st.integers(3, 10),
)
def test_a_count_within_another_hides_small_gaps_in_every_table(grid, threshold):
    # stepped within decided: "decided minus stepped" is a count of people too
    stepped = {key: inner for key, (inner, _) in grid.items()}
    decided = {key: inner + gap for key, (inner, gap) in grid.items()}
    dims = ("month", "province")
    pattern = protect(stepped, dims, threshold, within=decided)
    for level, keys in pattern.items():
        for key, withheld in keys.items():
            members = [k for k in grid if all(k[i] == v for i, v in zip(level, key, strict=True))]
            value = sum(stepped[k] for k in members)
            gap = sum(decided[k] for k in members) - value
            assert withheld or not (0 < value < threshold or 0 < gap < threshold)
    seen = {
        tuple(sorted(zip((dims[i] for i in level), key, strict=True))): (
            None
            if withheld
            else sum(
                stepped[k] for k in grid if all(k[i] == v for i, v in zip(level, key, strict=True))
            )
        )
        for level, keys in pattern.items()
        for key, withheld in keys.items()
    }
    finest = [dict(zip(dims, key, strict=True)) for key in sorted(grid)]
    assert recoverable(finest, seen) == []


def test_headline_withholds_a_count_a_few_below_the_one_it_lies_within():
    within = {"exploring": "reached", "decided": "exploring", "stepped": "decided"}
    shown = suppress_nested(
        {"reached": 120, "exploring": 90, "decided": 60, "stepped": 57}, within, 5
    )
    assert shown == {"reached": 120, "exploring": 90, "decided": 60, "stepped": None}


def test_a_table_adds_up_to_no_withheld_headline_figure():
    # reached by decision state; the headline shows decided = 53 and withholds stepped = 50
    # (3 decided "not now"): publishing step_to_work = 50 here would give those 3 away
    cells = {("not_exploring",): 40, ("exploring",): 30, ("no_step_now",): 3}
    cells[("step_to_work",)] = 50
    decided = ("decision_state", {"no_step_now", "step_to_work"}, False)
    stepped = ("decision_state", {"step_to_work"}, True)
    finest = [{"decision_state": k[0]} for k in sorted(cells)]

    def published(pattern):
        seen = {(): None if pattern[()][()] else 123}
        for (state,), withheld in pattern[(0,)].items():
            seen[(("decision_state", state),)] = None if withheld else cells[(state,)]
        seen[(("decision_state", "no_step_now"), ("decision_state", "step_to_work"))] = 53
        return seen

    blind = protect(cells, ("decision_state",), 5)
    aware = protect(cells, ("decision_state",), 5, known=[decided, stepped])
    assert not blind[(0,)][("step_to_work",)]  # on its own the table shows the 50 ...
    assert recoverable(finest, published(blind))  # ... and 53 - 50 gives the 3 away
    assert aware[(0,)][("step_to_work",)] and aware[(0,)][("no_step_now",)]
    assert recoverable(finest, published(aware)) == []


@settings(max_examples=60)
@given(
    st.integers(1, 12).flatmap(
        lambda n: st.lists(st.lists(st.sampled_from([0, 1]), min_size=n, max_size=n), max_size=20)
    )
)
def test_the_fallback_row_space_spans_what_the_svd_spans(rows):
    """LAPACK's SVD can fail to converge; the Gram fallback must then judge every count
    derivable or not exactly as the SVD would have."""
    published = np.array(rows, dtype=float).reshape(len(rows), -1) if rows else np.zeros((0, 1))
    by_svd = _row_space(published)
    by_gram = _row_space_by_gram(published[published.any(axis=1)]) if rows else by_svd
    assert by_svd.shape[0] == by_gram.shape[0]  # the same rank
    # each basis lies in the other's span
    for a, b in ((by_svd, by_gram), (by_gram, by_svd)):
        if a.size:
            assert np.allclose(a - (a @ b.T) @ b, 0, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=10, max_value=200), min_size=2, max_size=5),
    provinces=st.lists(st.sampled_from(["ANT", "LIM", "OVL"]), min_size=5, max_size=5),
)
@example(counts=[63, 33], provinces=["ANT", "LIM", "ANT", "ANT", "ANT"])
def test_a_headline_withheld_elsewhere_is_never_the_sum_of_a_tables_cells(counts, provinces):
    """The pack's per-project table showed 63 and 33 beside a headline 'decided' withheld
    (for a period, elsewhere): the cells gave it back (found in review). With the projects
    nested in provinces, the known total was only applied at the projects' level, where the
    grand total had already been taken as shown."""
    cells = {(f"P{i}", provinces[i]): n for i, n in enumerate(counts)}
    projects = tuple(project for project, _ in cells)
    pattern = protect(
        cells, ["project_code", "province_code"], 5, {"project_code": ["province_code"]}, None,
        [("project_code", projects, True)],
    )  # fmt: skip
    assert pattern[()][()] is True  # the total stays withheld
    for level in pattern.values():  # at no level do the shown cells add up to it
        assert any(level.values()), level
