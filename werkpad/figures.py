"""Published figures: the metrics of a selection as they may leave the product.

Every output that shows a figure to a scoped role (the dashboard, the report pack, the CLI)
asks here, so no two of them can suppress differently. Nothing here imports streamlit; the
dashboard's query functions are cached wrappers over these functions.

A headline is protected as a union of cells of one table that depends on which filters are
set, never on the values chosen: the rows split by every value of each list filter that is set
(and the rows with no value), by each target group a target-group filter names (in or out),
and, when a period is chosen, by year or by quarter within year. `disclosure.protect`
withholds what must be withheld in that table and at every coarser level of it (primary,
complementary, and no line whose withheld cells add up to a small count), and a selection's
count is shown only when it adds up from what the table publishes. Every selection along the
same filters is cut from the same table, so no set of shown selections tells more than the
table does: not "all genders less F and M" (the review's three-link attack), not "gender M or
X less every region but one less that region's M" (the audit's two-filter attack). A level's
pattern depends only on its own groupings, so tables of different filters agree where they
meet.

A period counts as the whole years it covers, or else the whole quarters; one that cuts a
quarter with people of the selection in the part it leaves out is withheld whole, since two
periods a few days apart would otherwise tell who came in between. The dashboard offers
protected roles whole quarters only. A period that ends with the data covers its last quarter
whole. A selection whose table holds more than MAX_PROTECTED_CELLS cells with people is
withheld whole: protecting it would take too long (see werkpad.config).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from werkpad import disclosure, metrics
from werkpad.config import MAX_PROTECTED_CELLS
from werkpad.metrics import placements
from werkpad.site import current_settings
from werkpad.sql import load_sql

Filters = Mapping[str, Any]


@dataclass(frozen=True)
class _Source:
    """What a family table is cut from: the trajectories (people) or the placements (issue
    13). `rows(con, filters, dims, counts, flag_parts)` counts per cell; `first` is the count
    of everything selected, `quarter` the grouping by quarter of the date a period selects
    on, `within` the counts' `within` chains (metrics.yaml)."""

    rows: Callable[..., list[dict]]
    first: str
    quarter: str
    within: Callable[[], dict[str, str]]


_PEOPLE = _Source(metrics.compute, "reached", "reached_quarter", metrics.within)
_PLACEMENTS = _Source(
    lambda con, filters, dims, asked, _flags: placements.grouped_placements(
        con, filters, dims, asked
    ),
    "placements",
    "started_quarter",
    placements.within,
)


def headline(
    con: duckdb.DuckDBPyConnection, filters: Filters, threshold: int | None = None,
    only: Sequence[str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Every metric over the selection (or those `only`, with what their suppression reads);
    with a threshold, small counts and what could be derived from them withheld (None),
    protected with every selection along its filters. A metric's value does not depend on
    which others are asked: each count is its own family, with the counts it lies within."""
    row = metrics.compute(con, dict(filters), None, _with_chain(only))[0]
    if not threshold:
        return row
    counts = _count_names(row)
    fates = _selection_fates(con, filters, counts, threshold)
    shown = row | {c: row[c] if fates.get(c, True) else None for c in counts}
    return suppress_rows([_no_small_gaps(shown, counts, threshold)], threshold)[0]


def _with_chain(only: Sequence[str] | None) -> list[str] | None:
    """The metrics asked plus `reached` (the group size the policy reads) and every count
    up the `within` chain of an asked one (the small gaps it is checked against)."""
    return None if only is None else _up_the_chain(["reached", *only], metrics.within())


def _up_the_chain(names: Sequence[str], outer: Mapping[str, str]) -> list[str]:
    """The names and every count up each one's `within` chain, once each, in order."""
    asked = list(dict.fromkeys(names))
    for name in list(asked):
        while name in outer and outer[name] not in asked:
            asked.append(outer[name])
            name = outer[name]
    return asked


def placement_headline(
    con: duckdb.DuckDBPyConnection, filters: Filters, threshold: int | None = None
) -> dict[str, Any]:
    """Every employer-network metric over the selection (werkpad.metrics.placements), with a
    threshold protected as people's are: the placement counts along the selection's filters
    (a period by the placements' start), then the employer counts and rates."""
    row = placements.compute_placements(con, dict(filters))
    if not threshold:
        return row
    counts = placements.counts()
    fates = _selection_fates(con, filters, counts, threshold, _PLACEMENTS)
    shown = row | {c: row[c] if fates.get(c, True) else None for c in counts}
    shown = _no_small_gaps(shown, counts, threshold, placements.within())
    return _placement_policy([shown], threshold)[0]


def placement_grouped(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    group_by: Sequence[str],
    only: Sequence[str],
    threshold: int | None = None,
    shown_headline: Callable[[], Mapping[str, Any]] | None = None,
) -> list[dict]:
    """The employer-network metrics `only` per group, suppressed as `grouped` suppresses
    people's: each placement count a family with its totals and the headline's fate."""
    if not threshold:
        return placements.grouped_placements(con, dict(filters), list(group_by), list(only))
    outer = placements.within()
    asked = _up_the_chain(only, outer)  # with the counts the asked ones lie within
    dims = disclosure.close(group_by, metrics.parents())
    rows = placements.grouped_placements(con, dict(filters), dims, asked)
    counts = [c for c in placements.counts() if rows and c in rows[0]]
    if rows and _period_grid(con, filters, _PLACEMENTS) is None:  # withheld whole
        return _placement_policy([row | dict.fromkeys(counts) for row in rows], threshold)
    if not rows:
        return []
    shown = shown_headline() if shown_headline else placement_headline(con, filters, threshold)
    everyone = tuple({row[dims[0]] for row in rows}) if dims else ()
    known = {c: [(dims[0], everyone, shown[c] is None)] for c in counts if dims and c in shown}
    rows = disclosure.suppress_table(
        rows, dims, counts, threshold, metrics.parents(),
        {c: w for c, w in outer.items() if c in counts}, known,
    )  # fmt: skip
    return _placement_policy(rows, threshold)


GROWTH = ("placements", "employers_active", "employers_new", "employers_repeat")


def network_growth(
    con: duckdb.DuckDBPyConnection, filters: Filters, threshold: int | None = None
) -> list[dict[str, Any]]:
    """Per quarter of the period, from the selection's first placement to its last: the
    GROWTH figures of the placements started in it, and `employers_total`, the distinct
    employers with a placement started up to its end (the network so far). Each is a
    published headline of its own selection, so a quarter is cut from the same protected
    table as any other; the totals are then checked against the new employers between them
    (`_totals_that_hide_nothing`), over the whole span whatever period is shown."""
    place = {k: v for k, v in filters.items() if k not in _PERIOD}
    quarters = [
        row["started_quarter"]
        for row in placements.grouped_placements(con, place, ["started_quarter"], ["placements"])
    ]
    if not quarters:
        return []
    first, last = min(quarters), _next_quarter(max(quarters)) - dt.timedelta(days=1)
    start = max(_day(filters.get("reached_from")) or first, first)
    end = min(_day(filters.get("reached_to")) or last, last)
    rows, quarter = [], first
    while quarter <= (last if threshold else end):
        until = _next_quarter(quarter) - dt.timedelta(days=1)
        shown = start <= until and quarter <= end  # in the period; the others only check
        lower, upper = (max(quarter, start), min(until, end)) if shown else (quarter, until)
        now = placement_headline(
            con, place | {"reached_from": lower, "reached_to": upper}, threshold
        )
        total = placement_headline(con, place | {"reached_to": upper}, threshold)
        rows.append({"started_quarter": quarter, **{k: now[k] for k in GROWTH},
                     "employers_total": total["employers_active"], "shown": shown})  # fmt: skip
        quarter = _next_quarter(quarter)
    if threshold:
        _totals_that_hide_nothing(rows, threshold)
    return [{k: v for k, v in row.items() if k != "shown"} for row in rows if row["shown"]]


def _totals_that_hide_nothing(rows: list[dict], threshold: int) -> None:
    """Withhold a network total that would tell withheld new employers: two shown totals
    differ by the new employers between them (new to the selection), so what the shown new
    counts do not explain must be 0 or at least the threshold. Done from the first quarter
    on, so every view of the same place gets the same totals."""
    last_total, explained = 0, 0
    for row in rows:
        if row["employers_new"] is not None:
            explained += row["employers_new"]
        if row["employers_total"] is None:
            continue
        rest = row["employers_total"] - last_total - explained
        if 0 < rest < threshold:
            row["employers_total"] = None
            continue
        last_total, explained = row["employers_total"], 0


def _placement_policy(rows: list[dict], threshold: int) -> list[dict]:
    """Employer counts and rates after the placement counts are protected: an employer
    count is withheld when small or when the count it lies within is (metrics.yaml); a rate
    when a count it is built on is withheld or small."""
    by_name = {m.name: m for m in placements.load_placement_metrics()}
    outer = placements.within()
    out = []
    for row in rows:
        row = dict(row)
        employers = placements.employer_counts()
        for name in employers:  # definition order: a chain's top first
            if row.get(name) is None:
                continue
            up = outer[name]
            # among employer counts a small gap is withheld too: in a network's first year,
            # active less new employers is exactly the returning ones
            gap = row[up] - row[name] if up in employers and row.get(up) is not None else 0
            if 0 < row[name] < threshold or (up in row and row[up] is None) or 0 < gap < threshold:
                row[name] = None
        for name, metric in by_name.items():
            if name in row and metric.type == "ratio":
                _withhold_rate(row, name, [row.get(p) for p in metric.parts], threshold)
        out.append(row)
    return out


def _no_small_gaps(
    shown: dict[str, Any], counts: list[str], threshold: int,
    outer: Mapping[str, str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A union of cells can be small, or a few below a count it lies within, where no cell
    is: each shown count of 1 to threshold - 1, and each a small number below a shown count
    up its `within` chain (stepped, decided, exploring, reached), is withheld too."""
    outer = metrics.within() if outer is None else outer
    out = dict(shown)
    for name in counts:
        value = shown[name]
        if value is None:
            continue
        above, up = [], outer.get(name)
        while up and up not in above:
            above.append(up)
            up = outer.get(up)
        gaps = [shown[a] - value for a in above if shown.get(a) is not None]
        if 0 < value < threshold or any(0 < gap < threshold for gap in gaps):
            out[name] = None
    return out


def _count_names(row: Mapping[str, Any]) -> list[str]:
    by_name = {m.name: m for m in metrics.load_metrics()}
    return [c for c in row if c in by_name and by_name[c].type == "count"]


def _selection_fates(
    con: duckdb.DuckDBPyConnection, filters: Filters, counts: list[str], threshold: int,
    source: _Source = _PEOPLE,
) -> dict[str, bool]:  # fmt: skip
    """Count -> may be published: the selection adds up from what its family table publishes
    (see the module docstring)."""
    period = _period_grid(con, filters, source)
    if period is None:  # a period that cuts a quarter with people in the cut-off part
        return dict.fromkeys(counts, False)
    known = set(metrics.target_groups())
    flags = sorted({g for f in metrics.FLAG_PARTS for g in filters.get(f) or () if g in known})
    flag_parts = [metrics.flag_part(g) for g in flags]
    columns = [metrics.PARTS[p] for p in metrics.PARTS if filters.get(p)]
    listed = disclosure.close(columns, metrics.parents())
    base = {k: v for k, v in filters.items() if k not in _PICKED}
    outer = source.within()
    asked = [source.first, *counts, *(outer[c] for c in counts if c in outer)]
    grid = [source.quarter] if period.dims else []
    rows = source.rows(con, base, listed + grid, list(dict.fromkeys(asked)), flag_parts)
    for row in rows:  # the year a quarter lies in, a grouping of its own
        quarter = _day(row[source.quarter]) if grid else None
        row[_YEAR] = quarter.year if quarter else None
    dims = listed + list(period.dims) + [f"part_{p}" for p in flag_parts]
    chosen = _chooser(filters, dims, columns, flags, period)
    if not any(chosen(tuple(row[d] for d in dims)) for row in rows):
        return dict.fromkeys(counts, True)  # nobody in the selection: zeros, shown as zeros
    if _size(rows, dims) > MAX_PROTECTED_CELLS:
        return dict.fromkeys(counts, False)  # too fine a selection to protect in time
    floor = current_settings().suppression_threshold  # part of the cache key only
    fates = {}
    for count in counts:
        family = _published(_frozen(rows, dims, count), _frozen(rows, dims, outer.get(count)),
                            tuple(dims), threshold, floor)  # fmt: skip
        fates[count] = family.adds_up([chosen(key) for key in family.keys])
    return fates


_QUARTER, _YEAR = "reached_quarter", "reached_year"
_PERIOD = ("reached_from", "reached_to")
_PICKED = (*metrics.PARTS, *metrics.FLAG_PARTS, *_PERIOD)  # filters the family table splits by
_GRID_PARENTS = {_QUARTER: (_YEAR,), _PLACEMENTS.quarter: (_YEAR,)}


@dataclass(frozen=True)
class _Grid:
    """A period as the whole years or quarters it covers: `dims` the family's groupings for
    it (none: no period), `first` and `last` the first and last year or quarter."""

    dims: tuple[str, ...] = ()
    first: Any = None
    last: Any = None


def _day(value: Any) -> dt.date | None:
    """A date from a filter or a row: a date, or its ISO text (the dashboard's cache keys)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _timed(value: Any) -> bool:
    return isinstance(value, dt.datetime) and value.time() != dt.time()


def _quarter(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_quarter(day: dt.date) -> dt.date:
    return _quarter(_quarter(day) + dt.timedelta(days=100))


def whole_quarters(start: dt.date, end: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The period a protected role is shown for [start, end]: from the first day of its
    first quarter to the last day of its last quarter (or `last`, the end of the data)."""
    return _quarter(start), min(_next_quarter(end) - dt.timedelta(days=1), max(end, last))


def _period_grid(
    con: duckdb.DuckDBPyConnection, filters: Filters, source: _Source = _PEOPLE
) -> _Grid | None:
    """The period as whole years when it is one, else as whole quarters; None when it cuts a
    quarter with people of the selection in the part it leaves out (that count would be a
    difference of two periods a few days apart, so the selection is withheld whole).

    A period that stops at the end of the data covers its last year or quarter whole: its cut
    holds nobody. Quarters nest in years, so a family by quarter publishes a year's counts
    exactly as a family by year does, and selections of either kind are safe together.
    """
    if any(_timed(filters.get(k)) for k in _PERIOD):
        return None  # a time of day moves the bound by a day in SQL: not a whole day's cut
    start, end = _day(filters.get("reached_from")), _day(filters.get("reached_to"))
    if not start and not end:
        return _Grid()
    years = (
        start and dt.date(start.year, 1, 1),
        end and dt.date(end.year + 1, 1, 1),
    )
    if _whole(con, filters, source, *years):
        return _Grid((_YEAR,), start and start.year, end and end.year)
    quarters = (start and _quarter(start), end and _next_quarter(end))
    if _whole(con, filters, source, *quarters):
        return _Grid((_YEAR, source.quarter), start and _quarter(start), end and _quarter(end))
    return None


def _whole(
    con: duckdb.DuckDBPyConnection, filters: Filters, source: _Source, first: dt.date | None,
    after: dt.date | None,
) -> bool:  # fmt: skip
    """Whether the selection's period holds everyone of [first, after) in the selection."""
    start, end = _day(filters.get("reached_from")), _day(filters.get("reached_to"))
    cut = []
    if start and first and start != first:
        cut.append((first, start - dt.timedelta(days=1)))
    if end and after and end != after - dt.timedelta(days=1):
        cut.append((end + dt.timedelta(days=1), after - dt.timedelta(days=1)))
    for low, high in cut:
        left_out = dict(filters) | {"reached_from": low, "reached_to": high}
        if source.rows(con, left_out, [], [source.first], [])[0][source.first]:
            return False
    return True


def _chooser(
    filters: Filters, dims: list[str], columns: list[str], flags: list[str], period: _Grid
) -> Callable[[tuple], bool]:
    """Whether a cell of the family table (a key along `dims`) lies in the selection."""
    names = {metrics.PARTS[p]: p for p in metrics.PARTS}
    picks = [(dims.index(c), {str(v) for v in filters[names[c]]}) for c in columns]
    flag_at = {g: dims.index(f"part_{metrics.flag_part(g)}") for g in flags}
    flag_picks = [
        [flag_at[g] for g in filters[f] if g in flag_at]
        for f in metrics.FLAG_PARTS
        if filters.get(f)
    ]
    when = dims.index(period.dims[-1]) if period.dims else -1

    def chosen(key: tuple) -> bool:
        if not all(key[i] is not None and str(key[i]) in values for i, values in picks):
            return False
        if not all(any(key[i] for i in picked) for picked in flag_picks):
            return False
        if when < 0:
            return True
        value = key[when] if period.dims == (_YEAR,) else _day(key[when])
        return (period.first is None or value >= period.first) and (
            period.last is None or value <= period.last
        )

    return chosen


def _size(rows: list[dict], dims: list[str]) -> int:
    """The cells of a family table, empty ones too (protecting works on all of them): the
    values of each grouping multiplied, leaving out a grouping that another one nests in."""
    parents = {p for d in dims for p in (metrics.parents() | _GRID_PARENTS).get(d, ())}
    size = 1
    for d in dims:
        if d not in parents:
            size *= len({row[d] for row in rows})
    return size


def _frozen(rows: list[dict], dims: list[str], count: str | None) -> tuple | None:
    if count is None:
        return None
    cells: dict[tuple, int] = {}
    for row in rows:
        key = tuple(row[d] for d in dims)
        cells[key] = cells.get(key, 0) + int(row[count] or 0)
    return tuple(sorted(cells.items(), key=repr))


@functools.lru_cache(maxsize=512)
def _published(
    cells: tuple[tuple[tuple, int], ...],
    within: tuple[tuple[tuple, int], ...] | None,
    dims: tuple[str, ...],
    threshold: int,
    floor: int,
) -> disclosure.Published:
    """A family table protected for one count (`within`: the count it lies within), kept by
    its counts, which cannot go stale: every selection along the same filters asks for the
    same table. `floor`, the site's suppression threshold that a higher threshold starts
    from, is part of the key only."""
    parents = {d: ps for d, ps in (metrics.parents() | _GRID_PARENTS).items() if d in dims}
    counts = dict(cells)
    pattern = disclosure.protect(
        counts, dims, threshold, parents, None if within is None else dict(within)
    )
    pattern = disclosure.close_remainders(counts, dims, pattern, threshold, parents)
    pattern = disclosure.close_small_unions(counts, dims, pattern, threshold, parents)
    return disclosure.Published(counts, dims, pattern)


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
    headline is computed here when not given), and so does the table's total. A period that
    cuts a quarter with people in the cut-off part is withheld whole, like its headline.
    """
    if not threshold:
        return metrics.compute(con, dict(filters), list(group_by), list(only))
    asked = metrics.with_companions([*only, "reached"])
    dims = disclosure.close(group_by, metrics.parents())
    rows = metrics.compute(con, dict(filters), dims, asked)
    if rows and _period_grid(con, filters) is None:  # withheld whole, as its headline is
        names = _count_names(rows[0])
        return suppress_rows([row | dict.fromkeys(names) for row in rows], threshold)
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
                _withhold_rate(row, name, parts, threshold)
        out.append(row)
    return out


def _withhold_rate(row: dict, name: str, parts: list, threshold: int) -> None:
    """A rate (and its interval) is withheld when a count it is built on is withheld or small."""
    if any(p is None or 0 < p < threshold for p in parts):
        for key in (name, f"{name}_low", f"{name}_high"):
            if key in row:
                row[key] = None


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
