"""Small-count suppression, property-based: nothing below the threshold, nothing derivable.

The derivability check here is independent of the implementation's: a withheld count is safe
when the null space of the table's equations (over the withheld counts) moves it, i.e. some
other filling of the withheld counts satisfies every published total.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from werkpad.disclosure import suppress_counts, suppress_grid, suppress_rate

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
