"""Published figures: the metrics of a selection as they may leave the product.

Every output that shows a figure to a scoped role (the dashboard, the report pack, the CLI)
asks here, so no two of them can suppress differently. Nothing here imports streamlit; the
dashboard's query functions are cached wrappers over these functions.

A headline is protected together with every other selection along its filters. A user who
sees the headline of "gender F or M" and of "gender off" could subtract them and find the
people of gender X; one who sees "F", "M" and "off" can too (the review's three-link attack);
one who sees "all partners but P" finds partner P's. So a selection is a set of cells of a
family table: for every list filter that is set, the rows are split by each value of that
filter (and the rows with no value); the family's levels are the headlines with any of those
filters switched off. `disclosure.suppress_table` withholds what must be withheld in that
table, primary and secondary, and a selection's count is shown only when every one of its
cells is. Any other selection along the same filters is a union of cells of the same table,
so no set of shown selections adds up to a withheld count.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import duckdb

from werkpad import disclosure, metrics
from werkpad.site import current_settings
from werkpad.sql import load_sql

Filters = Mapping[str, Any]


def headline(
    con: duckdb.DuckDBPyConnection, filters: Filters, threshold: int | None = None
) -> dict[str, Any]:
    """Every metric over the selection; with a threshold, small counts and what could be
    derived from them withheld (None), protected with the selection's complements."""
    row = metrics.compute(con, dict(filters))[0]
    if not threshold:
        return row
    counts = _count_names(row)
    fates = _selection_fates(con, filters, counts, threshold)
    shown = row | {c: row[c] if fates.get(c, True) else None for c in counts}
    return suppress_rows([shown], threshold)[0]


def _count_names(row: Mapping[str, Any]) -> list[str]:
    by_name = {m.name: m for m in metrics.load_metrics()}
    return [c for c in row if c in by_name and by_name[c].type == "count"]


def _selection_fates(
    con: duckdb.DuckDBPyConnection, filters: Filters, counts: list[str], threshold: int
) -> dict[str, bool]:
    """Count -> may be published: the selection's cell of its complement family is, and so is
    every value it picks along each of its filters (see the module docstring)."""
    parts = [p for p in metrics.PARTS if filters.get(p)]
    rows = metrics.compute(con, dict(filters), None, counts, parts)
    if not any(_in_selection(row, filters, parts) for row in rows):
        return dict.fromkeys(counts, True)  # nobody in the selection: zeros, shown as zeros
    floor = current_settings().suppression_threshold  # part of the cache key only
    fates = [_complement_fates(rows, filters, parts, counts, threshold, floor)]
    fates += [
        _line_fates(rows, filters, parts, name, counts, threshold, floor)
        for name in parts
        if name not in metrics.FLAG_PARTS
    ]
    return {c: all(fate[c] for fate in fates) for c in counts}


def _in_selection(row: Mapping[str, Any], filters: Filters, parts: Sequence[str]) -> bool:
    return all(_picked(p, filters[p], _label(p, row[f"part_{p}"])) for p in parts)


def _complement_fates(
    rows: list[dict], filters: Filters, parts: list[str], counts: list[str], threshold: int,
    floor: int,
) -> dict[str, bool]:  # fmt: skip
    """The selection's cell of its complement family: per filter the part it picks, the part
    it leaves out and the rows with no value, with every filter switched off as the levels."""
    labels = {p: _part_labels(p, filters[p], [r[f"part_{p}"] for r in rows]) for p in parts}
    cells = _cells(rows, counts, lambda row: tuple(labels[p][row[f"part_{p}"]] for p in parts))
    chosen = tuple(labels[p].get(_CHOSEN, _CHOSEN) for p in parts)
    fate = _protected(_frozen(cells, counts), tuple(parts), tuple(counts), threshold, floor)
    return fate[chosen]


def _line_fates(
    rows: list[dict], filters: Filters, parts: list[str], name: str, counts: list[str],
    threshold: int, floor: int,
) -> dict[str, bool]:  # fmt: skip
    """The values the selection picks along one filter, the others as chosen: each value is
    a cell of one table with the others' total, so the total less every shown value (the
    review's "LIM-MLI minus F minus M") is never a withheld count. The table depends on the
    other filters only, so every selection along this filter gets the same pattern."""
    others = [p for p in parts if p != name]
    inside = [row for row in rows if _in_selection(row, filters, others)]
    cells = _cells(inside, counts, lambda row: (_label(name, row[f"part_{name}"]),))
    chosen = [key for key in cells if _picked(name, filters[name], key[0])]
    fate = _protected(_frozen(cells, counts), (name,), tuple(counts), threshold, floor)
    shown = {c: _no_small_remainder(cells, fate, c, threshold) for c in counts}
    return {c: all(key in shown[c] for key in chosen) for c in counts}


def _no_small_remainder(
    cells: dict[tuple, dict[str, int]], fate: Mapping[tuple, Mapping[str, bool]], count: str,
    threshold: int,
) -> set[tuple]:  # fmt: skip
    """The cells of a line shown for one count, so that the withheld ones do not add up to a
    small count either: the total less every shown value is their sum (2 + 1 withheld beside
    a shown total tell that 3 people are in those two groups). The smallest shown cells are
    withheld until the withheld sum is 0 or at least the threshold."""
    shown = {key for key in cells if fate[key][count]}
    while 0 < sum(cells[k][count] for k in cells if k not in shown) < threshold:
        left = [k for k in shown if cells[k][count] > 0]
        if not left:
            break
        shown.discard(min(left, key=lambda k: (cells[k][count], repr(k))))
    return shown


def _cells(
    rows: list[dict], counts: list[str], key_of: Callable[[dict], tuple]
) -> dict[tuple, dict[str, int]]:
    cells: dict[tuple, dict[str, int]] = {}
    for row in rows:
        cell = cells.setdefault(key_of(row), dict.fromkeys(counts, 0))
        for c in counts:
            cell[c] += int(row[c] or 0)
    return cells


def _frozen(cells: dict[tuple, dict[str, int]], counts: list[str]) -> tuple:
    return tuple(sorted(((key, tuple(cell[c] for c in counts)) for key, cell in cells.items()),
                        key=repr))  # fmt: skip


@functools.lru_cache(maxsize=512)
def _protected(
    cells: tuple[tuple[tuple, tuple[int, ...]], ...],
    parts: tuple[str, ...],
    counts: tuple[str, ...],
    threshold: int,
    floor: int,
) -> dict[tuple, dict[str, bool]]:
    """Cell -> count -> may be published, for a family table, kept by its counts (which
    cannot go stale): selections along the same filters ask for the same tables. `floor`, the
    site's suppression threshold that a higher threshold starts from, is part of the key only.
    """
    dims = [f"part_{p}" for p in parts]
    family = [
        dict(zip(dims, key, strict=True)) | dict(zip(counts, values, strict=True))
        for key, values in cells
    ]
    protected = disclosure.suppress_table(
        family, dims, list(counts), threshold, {}, metrics.within()
    )
    return {tuple(r[d] for d in dims): {c: r[c] is not None for c in counts} for r in protected}


def _label(name: str, value: Any) -> Any:
    """A row's value along one filter as a cell label: None for no value; for the
    target-group flags, in or out."""
    if name in metrics.FLAG_PARTS:
        return "in" if value else "out"
    return None if value is None else str(value)


def _picked(name: str, chosen: Sequence[Any], label: Any) -> bool:
    """Whether a cell lies in the selection along this filter."""
    if name in metrics.FLAG_PARTS:
        return label == "in"
    return label is not None and label in {str(v) for v in chosen}


_CHOSEN = object()  # the key under which _part_labels gives the label of the chosen part


def _part_labels(name: str, chosen: Sequence[Any], values: list[Any]) -> dict[Any, Any]:
    """Row value -> the label of its part, and _CHOSEN -> the label of the chosen part.

    A part is labelled by its smallest value in the data, so a selection and the selection of
    all other values label the same parts the same way; rows with no value are a part of
    their own (None). The target-group filter picks by flags: in (True) or out (False).
    """
    if name in metrics.FLAG_PARTS:
        return {True: "in", False: "out", _CHOSEN: "in"}
    picked = {str(v) for v in chosen}
    inside = sorted(str(v) for v in values if v is not None and str(v) in picked)
    outside = sorted(str(v) for v in values if v is not None and str(v) not in picked)
    labels: dict[Any, Any] = {None: None}
    for v in values:
        if v is not None:
            labels[v] = inside[0] if str(v) in picked else outside[0]
    if inside:
        labels[_CHOSEN] = inside[0]
    return labels


def grouped(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    group_by: Sequence[str],
    only: Sequence[str],
    threshold: int | None = None,
    shown_headline: Callable[[], Mapping[str, Any]] | None = None,
) -> list[dict]:
    """The metrics `only` per group (rows with the groups first, sorted by them), suppressed
    when a threshold is set.

    Suppression reads the counts the shown ones lie within (decided for stepped) and the
    groupings the table nests in (a region with its province), so the table is protected with
    their totals; a table whose cells add up to a headline figure (metrics.yaml `identities`)
    takes that figure's fate from the headline (`shown_headline()`, a cached one, say; the
    headline is computed here when not given), and so does the table's total.
    """
    if not threshold:
        return metrics.compute(con, dict(filters), list(group_by), list(only))
    asked = metrics.with_companions([*only, "reached"])
    dims = disclosure.close(group_by, metrics.parents())
    rows = metrics.compute(con, dict(filters), dims, asked)
    if not rows:
        return []
    shown = shown_headline() if shown_headline else headline(con, filters, threshold)
    known: dict[str, list] = {}
    for i in metrics.identities():
        if i.grouping in dims:
            known.setdefault(i.is_, []).append((i.grouping, i.values, shown[i.metric] is None))
    # the table's cells add up to the selection's own headline count, whose fate may come from
    # its complements (see the module docstring): the table keeps that fate
    if dims:
        everyone = tuple({row[dims[0]] for row in rows})
        for name in _count_names(rows[0]):
            if name in shown:
                known.setdefault(name, []).append((dims[0], everyone, shown[name] is None))
    return table(rows, dims, threshold, known)


def suppress_rows(rows: list[dict], threshold: int) -> list[dict]:
    """The policy on top of withheld counts: a rate is withheld when a count it is built on
    is; an aggregate (median days) of a small or withheld group is withheld."""
    by_name = {m.name: m for m in metrics.load_metrics()}
    out = []
    for row in rows:
        row = dict(row)
        small_group = row.get("reached") is None or 0 < row["reached"] < threshold
        for name, metric in by_name.items():
            if name not in row:
                continue
            if metric.type == "aggregate" and small_group and name != "partners_active":
                row[name] = None
            if metric.type == "ratio":
                parts = [row.get(p) for p in metric.parts if by_name[p].type == "count"]
                if any(p is None or 0 < p < threshold for p in parts):
                    for key in (name, f"{name}_low", f"{name}_high"):
                        if key in row:
                            row[key] = None
        out.append(row)
    return out


def table(
    rows: list[dict],
    group_by: Sequence[str],
    threshold: int,
    known: Mapping[str, Sequence[tuple[str, Any, bool]]] | None = None,
) -> list[dict]:
    """Grouped rows after suppression: each count column protected as a family with its
    totals (`disclosure.suppress_table`), then the rate and aggregate policy."""
    if not rows:
        return rows
    counts = _count_names(rows[0])
    rows = disclosure.suppress_table(
        rows, group_by, counts, threshold, metrics.parents(), metrics.within(), known
    )
    return suppress_rows(rows, threshold)


def reference_names(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Code -> name of every programme, province, region, project and partner, for captions."""
    queries = {"programme": "programmes", "province": "provinces", "region": "regions",
               "project": "projects", "partner": "partners"}  # fmt: skip
    return {
        kind: {row[0]: row[1] for row in con.execute(load_sql(f"queries/{query}")).fetchall()}
        for kind, query in queries.items()
    }
