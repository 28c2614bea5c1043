"""Small-count suppression: one implementation for every figure that leaves the product.

A published table is a grid of counts with its row totals, column totals and grand total
(a one-way breakdown is a grid of one row). Suppression has two steps:

1. primary: every count from 1 to THRESHOLD - 1, inner cell or total, is withheld;
2. complementary: while some withheld count could be worked out exactly from the published
   counts and the additive relations between cells and totals, one more count is withheld:
   the smallest published count that shares a row or column with it.

"Worked out exactly" is decided by linear algebra, not by a rule of thumb: a withheld count is
derivable when its unit vector lies in the row space of the table's equations restricted to
the withheld counts. That catches the classic single withheld cell in a line and the subtler
chains (a withheld cell that bridges two groups of withheld cells). Zero counts are published:
an empty cell reveals no person.

Rates whose numerator or denominator is withheld are withheld too (see `suppress_rate`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from werkpad.config import REPORT_THRESHOLD, SUPPRESSION_THRESHOLD

THRESHOLD = SUPPRESSION_THRESHOLD  # the why and the setting live in werkpad.config
__all__ = ["REPORT_THRESHOLD", "THRESHOLD", "suppress_counts", "suppress_grid", "suppress_rate"]
SYMBOL = "x"  # shown for a withheld figure, explained in a footnote


@dataclass(frozen=True)
class Suppressed:
    """A table after suppression: counts with withheld ones as None, and the mask."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None

    def withheld(self) -> int:
        flat = [*sum(self.cells, []), *self.row_totals, *self.column_totals, self.total]
        return sum(v is None for v in flat)


def _layout(rows: int, cols: int) -> tuple[list[tuple], np.ndarray]:
    """The variables of a grid and its additive equations (one per line).

    Margins that would only repeat another count are not variables of their own: in a
    one-row table the row total is the grand total and the column totals are the cells.
    """
    names: list[tuple] = [("cell", i, j) for i in range(rows) for j in range(cols)]
    both = rows > 1 and cols > 1
    if both:
        names += [("row", i) for i in range(rows)] + [("col", j) for j in range(cols)]
    names.append(("total",))
    index = {name: k for k, name in enumerate(names)}
    total = index[("total",)]
    equations = []

    def equation(members: list[int], margin: int) -> None:
        eq = np.zeros(len(names))
        eq[members] = 1
        eq[margin] = -1
        equations.append(eq)

    if cols > 1:
        for i in range(rows):
            equation(
                [index[("cell", i, j)] for j in range(cols)], index[("row", i)] if both else total
            )
    if rows > 1:
        for j in range(cols):
            equation(
                [index[("cell", i, j)] for i in range(rows)], index[("col", j)] if both else total
            )
    if both:
        equation([index[("row", i)] for i in range(rows)], total)
    if rows == cols == 1:
        equation([index[("cell", 0, 0)]], total)
    return names, np.array(equations)


def _values(grid: np.ndarray, names: list[tuple]) -> np.ndarray:
    margins = {"row": grid.sum(1), "col": grid.sum(0)}
    return np.array(
        [
            grid[n[1], n[2]]
            if n[0] == "cell"
            else grid.sum()
            if n[0] == "total"
            else margins[n[0]][n[1]]
            for n in names
        ]
    )


def derivable(equations: np.ndarray, withheld: np.ndarray) -> list[int]:
    """Indices of withheld variables whose value follows from the published ones."""
    unknown = np.flatnonzero(withheld)
    if unknown.size == 0:
        return []
    system = equations[:, unknown]
    rank = np.linalg.matrix_rank(system)
    found = []
    for position, variable in enumerate(unknown):
        unit = np.zeros(unknown.size)
        unit[position] = 1
        if np.linalg.matrix_rank(np.vstack([system, unit])) == rank:
            found.append(int(variable))
    return found


def suppress_grid(cells: list[list[int]], threshold: int = THRESHOLD) -> Suppressed:
    """Suppress a grid of counts (rows x columns) with its margins; see the module docstring."""
    grid = np.array(cells, dtype=np.int64).reshape(len(cells), -1)
    rows, cols = grid.shape
    names, equations = _layout(rows, cols)
    values = _values(grid, names)
    withheld = (values > 0) & (values < threshold)
    while found := derivable(equations, withheld):
        # protect a derivable count with the smallest published count on one of its lines
        lines = equations[equations[:, found[0]] != 0] != 0
        members = np.flatnonzero(lines.any(axis=0) & ~withheld)
        candidates = [int(v) for v in members if values[v] > 0] or [int(v) for v in members]
        if not candidates:
            candidates = [int(v) for v in np.flatnonzero(~withheld)]
        withheld[min(candidates, key=lambda v: (values[v], v))] = True
    shown = {
        name: (None if w else int(v)) for name, v, w in zip(names, values, withheld, strict=True)
    }
    total = shown[("total",)]

    def margin(kind: str, k: int, single: tuple) -> int | None:
        return shown.get((kind, k), shown.get(single, total))

    return Suppressed(
        cells=[[shown[("cell", i, j)] for j in range(cols)] for i in range(rows)],
        row_totals=[
            margin("row", i, ("cell", i, 0) if cols == 1 else ("total",)) for i in range(rows)
        ],
        column_totals=[
            margin("col", j, ("cell", 0, j) if rows == 1 else ("total",)) for j in range(cols)
        ],
        total=total,
    )


def suppress_counts(
    counts: list[int], threshold: int = THRESHOLD
) -> tuple[list[int | None], int | None]:
    """A one-way breakdown with its total: the counts and total after suppression."""
    result = suppress_grid([counts], threshold)
    return result.cells[0], result.total


def suppress_rate(
    rate: float | None, numerator: int | None, denominator: int | None, threshold: int = THRESHOLD
) -> float | None:
    """A rate is withheld when its numerator or denominator would be."""
    for count in (numerator, denominator):
        if count is None or 0 < count < threshold:
            return None
    return rate


def suppress_nested(
    values: dict[str, int], chain: list[str], threshold: int = THRESHOLD
) -> dict[str, int | None]:
    """Counts that nest (reached >= exploring >= decided >= ...): primary suppression of each,
    and of the later count wherever two published neighbours differ by a small number."""
    shown: dict[str, int | None] = {
        k: (None if 0 < v < threshold else v) for k, v in values.items()
    }
    for before, after in zip(chain, chain[1:], strict=False):
        if shown[before] is not None and 0 < values[before] - values[after] < threshold:
            shown[after] = None
    return shown


def suppress_columns(
    groups: list[list[object]], columns: dict[str, list[int]], threshold: int = THRESHOLD
) -> dict[str, list[int | None]]:
    """Suppress count columns of a grouped result, each against its own totals.

    With two grouping columns the counts form a grid with row and column totals; with one or
    three and more they are a one-way breakdown against their total.
    """
    out = {}
    for name, counts in columns.items():
        if len(groups) == 2:
            rows = sorted({v for v in groups[0] if v is not None}, key=str)
            cols = sorted({v for v in groups[1] if v is not None}, key=str)
            position = {(r, c): 0 for r in rows for c in cols}
            for r, c, n in zip(groups[0], groups[1], counts, strict=True):
                position[(r, c)] = int(n or 0)
            grid = suppress_grid([[position[(r, c)] for c in cols] for r in rows], threshold)
            shown = {
                (r, c): grid.cells[i][j] for i, r in enumerate(rows) for j, c in enumerate(cols)
            }
            out[name] = [
                shown.get((r, c), None if 0 < int(n or 0) < threshold else n)
                for r, c, n in zip(groups[0], groups[1], counts, strict=True)
            ]
        else:
            out[name] = suppress_counts([int(n or 0) for n in counts], threshold)[0]
    return out
