"""Small-count suppression: one implementation for every figure that leaves the product.

A published table counts people by one or more groupings (dimensions) together with all its
totals: the counts of every coarser grouping it adds up to, down to the grand total. Those
totals are tables of their own elsewhere: the month x province grid on the reach page adds up
to the monthly trend of the overview and to the province bars beside it. So suppression works
on *families* of linked tables, not on one table at a time:

1. the tables of a family are the groupings' subsets ("levels"), from the grand total up, and
   a level is protected only after every coarser level it adds up to;
2. primary: at each level every count from 1 to THRESHOLD - 1 is withheld;
3. the counts of coarser levels keep the fate they were given at their own level, so a count
   is withheld (or published) in every table that shows it, whichever page asks first;
4. complementary: while a withheld count can be worked out exactly from the published ones
   (the level's cells, its coarser counts, and the additive relations between them), one more
   cell of the level is withheld: the smallest one on a line with it (differing in one
   grouping). "Worked out exactly" is linear algebra: its indicator vector lies in the row
   space of the published counts' indicator vectors.

A level's pattern depends only on the data under the filters and on that level's groupings, so
two tables that share a total agree on it; and for groupings that cross (or nest, see
`parents`) the published counts of two tables meet only in the totals they share, so tables
that are each safe with their shared totals are safe together. The property tests check that
claim on random families against an independent null-space test.

Nesting groupings (a region lies in one province, a partner has one type) are declared as
`parents`: a child's table is always protected together with its parents' totals, because a
reader can add the regions of a province up.

Zero counts are published (an empty cell reveals no person) and rates whose numerator or
denominator is withheld are withheld too (see `suppress_rate`). A threshold above
SUPPRESSION_THRESHOLD (the report pack's 10) starts from the pattern at SUPPRESSION_THRESHOLD,
so a pack never publishes a count the dashboard withholds for the same selection.

A count that lies within another (stepped within decided, metrics.yaml `within`) is also
withheld, at every level, where the two differ by 1 to THRESHOLD - 1: those few people who
decided "not now" are as findable as a small cell.

A table by a grouping whose values add up to a figure published elsewhere (the Sankey's
decision states add up to the headline's decided and stepped) takes that figure's fate as a
given (`known`), so it cannot add a withheld headline figure up either.

A selection's headline (werkpad.figures) is a union of cells of a table by every value of its
filters and by year or quarter: it is shown only when `Published.adds_up` from that table.
That table is closed twice more: no line's withheld cells add up to a small count beside its
shown total (`close_remainders`), and no selection of withheld cells (some values of each
grouping) does either, however many published counts it takes (`close_small_unions`, a
mixed-integer search). Sums that are not selections (one cell of one line and another of
another) are not searched: no filter asks for them.
Not covered: relations between counts that metrics.yaml does not declare (`within` holds one
count a metric lies within: stepped_within_6m lies within observable_6m, and within stepped
too, whose gap is not checked); and two accounts with different scopes compared (a
Flanders-wide view less a four-province one), since a scope is a restriction, not a filter.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from werkpad.config import REPORT_THRESHOLD, SUPPRESSION_THRESHOLD
from werkpad.site import current_settings

THRESHOLD = SUPPRESSION_THRESHOLD  # the why and the setting live in werkpad.config
__all__ = [
    "REPORT_THRESHOLD",
    "THRESHOLD",
    "protect",
    "suppress_counts",
    "suppress_grid",
    "suppress_rate",
    "suppress_table",
]
SYMBOL = "x"  # shown for a withheld figure, explained in a footnote
_GRAM_TOLERANCE = 1e-10  # on squared singular values: 1e-5 on the singular values themselves
_TOLERANCE = 1e-8  # counts are small integers: a residual above this is a real degree of freedom

Key = tuple  # one value per grouping of a level, in the family's order
Level = tuple[int, ...]  # positions of a level's groupings in the family's order
Pattern = dict[Level, dict[Key, bool]]  # level -> key -> withheld


def _sort_key(value: object) -> tuple[bool, str]:
    return value is None, str(value)


@dataclass
class _Family:
    """The counts of one family at its finest level, and what the levels need from them."""

    cells: dict[Key, int]
    dims: tuple[str, ...]
    parents: Mapping[str, Sequence[str]]
    within: dict[Key, int] | None = None  # counts of the people these are a subset of
    known: tuple[tuple[int, frozenset, bool], ...] = ()  # (grouping, values, withheld)

    def __post_init__(self) -> None:
        n = len(self.dims)
        self.values = [sorted({k[i] for k in self.cells}, key=_sort_key) for i in range(n)]
        self.parent_positions = {
            i: [self.dims.index(p) for p in self.parents.get(d, ()) if p in self.dims]
            for i, d in enumerate(self.dims)
        }
        missing = [(d, p) for d in self.dims for p in self.parents.get(d, ()) if p not in self.dims]
        if missing:
            raise ValueError(f"groupings {missing} need their parent in the same family")
        self.parent_of: dict[tuple[int, int], dict[object, object]] = {}
        for child, positions in self.parent_positions.items():
            for p in positions:
                mapping: dict[object, object] = {}
                for key in self.cells:
                    if key[child] is None:  # a missing value (no partner) lies anywhere
                        continue
                    if mapping.setdefault(key[child], key[p]) != key[p]:
                        raise ValueError(f"{self.dims[child]} does not nest in {self.dims[p]}")
                self.parent_of[(child, p)] = mapping

    def levels(self) -> list[Level]:
        return self.closed(self.dims, self.parents)

    @staticmethod
    def closed(dims: Sequence[str], parents: Mapping[str, Sequence[str]]) -> list[Level]:
        """Every subset of the groupings that holds each grouping's parents, coarsest first."""
        return [
            level
            for size in range(len(dims) + 1)
            for level in itertools.combinations(range(len(dims)), size)
            if all(set(parents.get(dims[i], ())) <= {dims[j] for j in level} for i in level)
        ]

    def keys(self, level: Level) -> list[Key]:
        """The level's possible cells: every combination of values its nesting allows."""
        keys = []
        for combo in itertools.product(*(self.values[i] for i in level)):
            where = dict(zip(level, combo, strict=True))
            if all(
                where[c] is None or self.parent_of[(c, p)].get(where[c], where[p]) == where[p]
                for c in level
                for p in self.parent_positions[c]
            ):
                keys.append(combo)
        return keys

    def counts(self, level: Level, of: dict[Key, int] | None = None) -> dict[Key, int]:
        out: dict[Key, int] = {}
        for key, count in (self.cells if of is None else of).items():
            short = tuple(key[i] for i in level)
            out[short] = out.get(short, 0) + int(count or 0)
        return out


def _row_space(published: np.ndarray) -> np.ndarray:
    published = published[published.any(axis=1)]  # a sum of known zeros adds nothing
    if published.size == 0:
        return np.zeros((0, published.shape[1]))
    try:
        _, singular, vt = np.linalg.svd(published, full_matrices=False)
    except np.linalg.LinAlgError:  # LAPACK's gesdd fails to converge on rare 0/1 matrices
        return _row_space_by_gram(published)
    return vt[singular > _TOLERANCE * max(1.0, singular.max(initial=0))]


def _row_space_by_gram(published: np.ndarray) -> np.ndarray:
    """The row space as the Gram matrix's eigenvectors with a clearly nonzero eigenvalue (a
    squared singular value, hence the looser tolerance): symmetric eigensolvers converge."""
    eigen, vectors = np.linalg.eigh(published.T @ published)
    return vectors[:, eigen > _GRAM_TOLERANCE * max(1.0, eigen.max(initial=0))].T


def _derivable(vectors: np.ndarray, withheld: np.ndarray) -> list[int]:
    """Withheld quantities whose indicator vector lies in the published vectors' row space."""
    unknown = np.flatnonzero(withheld)
    if unknown.size == 0:
        return []
    basis = _row_space(vectors[~withheld])
    rows = vectors[unknown]
    residual = np.linalg.norm(rows - (rows @ basis.T) @ basis, axis=1)
    return [int(q) for q, r in zip(unknown, residual, strict=True) if r < 1e-6]


def _lines(
    codes: np.ndarray, d: int, cells: list[Key], level: Level, owner: dict[tuple[Level, Key], int]
) -> tuple[np.ndarray, np.ndarray]:
    """The lines of a level along grouping d: each cell's line (the cells that differ from it
    only in d) and each line's total (its count's index, -1 where no total is counted)."""
    others = [k for k in range(len(level)) if k != d]
    if others:
        _, first, line_of = np.unique(
            codes[:, others], axis=0, return_index=True, return_inverse=True
        )
    else:  # a level of one grouping: all its cells lie on one line, the grand total's
        first, line_of = np.array([0]), np.zeros(len(cells), dtype=int)
    lower = tuple(level[k] for k in others)
    total = np.array(
        [owner.get((lower, tuple(cells[int(c)][k] for k in others)), -1) for c in first]
    )
    return line_of.reshape(-1), total


def _protect_level(
    family: _Family, level: Level, done: Pattern, threshold: int, seed: dict[Key, bool]
) -> dict[Key, bool]:
    """Withhold cells of one level so that no withheld count of it or below is derivable."""
    cells = family.keys(level)
    position = {key: k for k, key in enumerate(cells)}
    codes = np.array(
        [[family.values[i].index(v) for i, v in zip(level, key, strict=True)] for key in cells]
    ).reshape(len(cells), len(level))
    counts = family.counts(level)
    outer = family.counts(level, family.within) if family.within is not None else {}
    vectors: list[np.ndarray] = []
    values: list[int] = []
    fixed: list[bool | None] = []
    owner: dict[tuple[Level, Key], int] = {}
    seen: dict[bytes, int] = {}

    def add(ks: list[int], status: bool | None) -> int:
        vector = np.zeros(len(cells))
        vector[ks] = 1
        mark = vector.tobytes()
        if mark not in seen:  # the same count reached by two paths is one count
            seen[mark] = len(vectors)
            vectors.append(vector)
            values.append(sum(counts.get(cells[k], 0) for k in ks))
            fixed.append(status)
        elif status:  # withheld by either path is withheld: a headline withheld elsewhere
            fixed[seen[mark]] = True  # was taken as the table's shown total (found in review)
        return seen[mark]

    def members(lower: Level) -> dict[Key, list[int]]:
        picks = [level.index(i) for i in lower]
        out: dict[Key, list[int]] = {}
        for key, k in position.items():
            out.setdefault(tuple(key[p] for p in picks), []).append(k)
        return out

    for lower in (lv for lv in done if set(lv) < set(level)):
        for short, ks in members(lower).items():
            owner[(lower, short)] = add(ks, done[lower][short])
    for dim, allowed, status in family.known:  # published elsewhere with this fate
        if dim in level:
            ks = [k for k, key in enumerate(cells) if key[level.index(dim)] in allowed]
        elif set(family.values[dim]) <= set(allowed):  # every value: the level's total,
            ks = list(range(len(cells)))  # so a coarser level keeps it too (found in review)
        else:
            ks = []
        if ks:
            add(ks, status)
    for short, ks in members(level).items():
        owner[(level, short)] = add(ks, None)
    vectors_arr, values_arr = np.array(vectors), np.array(values)
    free = np.array([f is None for f in fixed])

    def _sensitive(key: Key) -> bool:
        """Primary: a small count, or one a small number below the count it lies within."""
        value = counts.get(key, 0)
        gap = outer.get(key, value) - value
        return 0 < value < threshold or 0 < gap < threshold or seed.get(key, False)

    withheld = np.array(
        [
            f if f is not None else _sensitive(cells[int(np.flatnonzero(vec)[0])])
            for f, v, vec in zip(fixed, values, vectors, strict=True)
        ],
        dtype=bool,
    )
    is_cell = np.array([vec.sum() == 1 for vec in vectors]) & free
    cell_of = {int(np.flatnonzero(vectors[q])[0]): int(q) for q in np.flatnonzero(is_cell)}

    cell_owner = np.array([owner[(level, key)] for key in cells])
    lines = [_lines(codes, d, cells, level, owner) for d in range(len(level))]

    def lonely_lines() -> np.ndarray:
        """Per cell, its lines with a published total and no other withheld cell: withholding
        the cell there would make it the next derivable count, so it is a poor complement."""
        shut = withheld[cell_owner].astype(int)
        lonely = np.zeros(len(cells), dtype=int)
        for line_of, margin in lines:
            others_shut = np.bincount(line_of, weights=shut)[line_of] - shut
            total = margin[line_of]
            open_total = (total < 0) | ~withheld[np.maximum(total, 0)]
            lonely += (others_shut == 0) & open_total
        return lonely

    unit = np.array([vec.sum() == 1 for vec in vectors]) & (values_arr == 0)
    column = vectors_arr[unit].argmax(axis=1)  # the cell of each zero count

    def unknown_columns() -> np.ndarray:
        """The cells not published as zero: a published zero takes its cell out of every sum,
        so the algebra needs only the others (a sparse crossing has hundreds of zeros)."""
        keep = np.ones(len(cells), dtype=bool)
        keep[column[~withheld[unit]]] = False
        return keep

    while found := _derivable(vectors_arr[:, unknown_columns()], withheld):
        # one complement per derivable count whose cells no complement of this pass touches;
        # the next pass checks them all again, so a guess that did not suffice costs a pass
        touched = np.zeros(len(cells), dtype=bool)
        for q in found:
            if touched.all():
                break
            support = np.flatnonzero(vectors_arr[q])
            if touched[support].any():
                continue
            distance = (codes[:, None, :] != codes[None, support, :]).sum(axis=2).min(axis=1)
            near = [int(c) for c in np.flatnonzero(distance <= 1) if c in cell_of]
            open_cells = [c for c, k in cell_of.items() if not withheld[k]]
            pools = (
                [c for c in near if not withheld[cell_of[c]] and values_arr[cell_of[c]] > 0],
                [c for c in open_cells if values_arr[cell_of[c]] > 0],
                open_cells,
            )
            pool = next((p for p in pools if p), None)
            if pool is None and touched.any():
                break  # this pass's complements may have covered it: check again first
            if pool is None:  # every cell of this level withheld: show none of its own
                return {key: fixed[owner[(level, key)]] is not False for key in cells}
            lonely = lonely_lines()
            best = min(pool, key=lambda c: (lonely[c], values_arr[cell_of[c]], c))
            withheld[cell_of[best]] = True
            touched |= (codes != codes[best]).sum(axis=1) <= 1  # the lines through it
    return {key: bool(withheld[owner[(level, key)]]) for key in cells}


def protect(
    cells: Mapping[Key, int],
    dims: Sequence[str],
    threshold: int = THRESHOLD,
    parents: Mapping[str, Sequence[str]] | None = None,
    within: Mapping[Key, int] | None = None,
    known: Sequence[tuple[str, Collection, bool]] = (),
) -> Pattern:
    """Which counts to withhold at every level of a family; see the module docstring.

    `cells` maps one value per grouping in `dims` to a count (absent combinations count 0);
    `parents` names for a grouping the coarser groupings it nests in, all of them in `dims`.
    `within`, keyed like `cells`, counts the people these counts are a subset of (decided for
    stepped): a count a small number below it is withheld like a small count. `known` lists
    counts published elsewhere that are sums of this family's cells, as (grouping, values,
    withheld): the headline's stepped is the reached count of decision_state step_to_work.
    Levels and keys follow the order of `dims`; the work is done in the groupings' name order,
    so a level gets the same pattern whichever family (table) asks for it.
    """
    order = sorted(range(len(dims)), key=lambda i: dims[i])
    canonical = _protect_canonical(
        {tuple(key[i] for i in order): count for key, count in cells.items()},
        tuple(dims[i] for i in order),
        threshold,
        parents or {},
        None
        if within is None
        else {tuple(key[i] for i in order): count for key, count in within.items()},
        tuple(
            (order.index(dims.index(name)), frozenset(values), bool(withheld))
            for name, values, withheld in known
            if name in dims
        ),
    )
    back = {i: order.index(i) for i in range(len(dims))}  # position in dims -> canonical
    out: Pattern = {}
    for level in _Family.closed(dims, parents or {}):
        mine = tuple(sorted(back[i] for i in level))
        source = canonical[mine]
        out[level] = {
            tuple(key[mine.index(back[i])] for i in level): withheld
            for key, withheld in source.items()
        }
    return out


def _protect_canonical(
    cells: dict[Key, int],
    dims: tuple[str, ...],
    threshold: int,
    parents: Mapping,
    within: dict[Key, int] | None,
    known: tuple[tuple[int, frozenset, bool], ...] = (),
) -> Pattern:
    family = _Family(cells, dims, parents, within, known)
    floor = current_settings().suppression_threshold  # the dashboard's, the site's choice
    base = (
        _protect_canonical(cells, dims, floor, parents, within, known) if threshold > floor else {}
    )
    done: Pattern = {}
    for level in family.levels():
        done[level] = _protect_level(family, level, done, threshold, base.get(level, {}))
    return done


def close_remainders(
    cells: Mapping[Key, int],
    dims: Sequence[str],
    pattern: Pattern,
    threshold: int = THRESHOLD,
    parents: Mapping[str, Sequence[str]] | None = None,
) -> Pattern:
    """The pattern with no line whose withheld cells add up to a small count beside its
    published total: the total less every shown cell is their sum (2 + 1 withheld beside a
    shown total tell that 3 people are in those two groups). The smallest shown cells are
    withheld until the sum is 0 or at least the threshold. Levels are done coarsest first,
    each from its own counts and the totals below it, so a level still gets the same pattern
    whichever family asks for it; withholding more never makes a withheld count derivable."""
    out = {level: dict(keys) for level, keys in pattern.items()}
    for level in _Family.closed(dims, parents or {}):
        counts: dict[Key, int] = {}
        for key, count in cells.items():
            short = tuple(key[i] for i in level)
            counts[short] = counts.get(short, 0) + int(count or 0)
        for d in level:
            lower = tuple(i for i in level if i != d)
            if lower not in out:  # a grouping without its parent is no level: no total
                continue
            lines: dict[Key, list[Key]] = {}
            for key in out[level]:
                total = tuple(k for i, k in zip(level, key, strict=True) if i != d)
                lines.setdefault(total, []).append(key)
            for total, keys in lines.items():
                if out[lower].get(total, True):
                    continue
                _close_line(keys, counts, out[level], threshold)
    return out


def _close_line(keys: list[Key], counts: Mapping[Key, int], withheld: dict, threshold: int):
    while 0 < sum(counts.get(k, 0) for k in keys if withheld[k]) < threshold:
        shown = [k for k in keys if not withheld[k] and counts.get(k, 0) > 0]
        if not shown:
            return
        withheld[min(shown, key=lambda k: (counts[k], repr(k)))] = True


def close_small_unions(
    cells: Mapping[Key, int],
    dims: Sequence[str],
    pattern: Pattern,
    threshold: int = THRESHOLD,
    parents: Mapping[str, Sequence[str]] | None = None,
) -> Pattern:
    """The pattern with no selection of withheld cells that adds up to a small count from
    what is published. `close_remainders` closes one line beside its total; a selection runs
    over several lines (gender M or X is all less F; less its shown 30-54 that leaves 3 people
    aged 18-29 or 55+). A selection is what a user can ask for: some values of each grouping,
    a product of value sets. At each level, coarsest first, a mixed-integer search looks for
    a selection of the level's cells with 1 to threshold - 1 people whose sum lies in the row
    space of what the level and the coarser ones publish; a shown cell of the level that the
    sum is worked out from is withheld, until no such selection is left. The search runs in
    the groupings' name order, so a level gets the same pattern whichever family asks for it,
    and the finest level sees every count the family publishes. A sum worked out from coarser
    counts alone (with zeros of another grouping) withholds the smallest of those at its own
    level: that level then depends on the finer family, so the family is safe on its own but
    no longer agrees with a coarser one there (README, known limits)."""
    order = sorted(range(len(dims)), key=lambda i: dims[i])
    back = {i: order.index(i) for i in range(len(dims))}
    levels = _Family.closed(dims, parents or {})
    out = {level: dict(keys) for level, keys in pattern.items()}
    for level in sorted(levels, key=lambda lv: (len(lv), sorted(back[i] for i in lv))):
        counts: dict[Key, int] = {}
        for key, count in cells.items():
            short = tuple(key[i] for i in level)
            counts[short] = counts.get(short, 0) + int(count or 0)
        canonical = sorted(level, key=lambda i: back[i])
        keys = sorted(out[level], key=lambda k: [_sort_key(k[level.index(i)]) for i in canonical])
        lower = [lv for lv in levels if set(lv) <= set(level)]
        lower.sort(key=lambda lv: (len(lv), sorted(back[i] for i in lv)))
        while used := _small_selection(keys, level, lower, out, counts, threshold):
            here = [k for lv, k in used if lv == level]
            if here:
                out[level][min(here, key=lambda k: (counts[k], keys.index(k)))] = True
                continue
            # worked out from coarser counts alone (a zero of another grouping among them):
            # withhold the smallest of those, at its own level
            lv, short = min(used, key=lambda u: (_count_at(cells, u[0], u[1]), repr(u)))
            out[lv][short] = True
    return out


def _count_at(cells: Mapping[Key, int], level: Level, short: Key) -> int:
    return sum(int(n or 0) for key, n in cells.items() if tuple(key[i] for i in level) == short)


def _small_selection(
    keys: list[Key],
    level: Level,
    lower: list[Level],
    pattern: Pattern,
    counts: Mapping[Key, int],
    threshold: int,
) -> list[Key]:
    """The shown counts (level, key) a small selection of a level is worked out from: a
    product of value sets whose cells hold 1 to threshold - 1 people, none of them shown, and
    whose sum follows from what the level and the coarser ones publish. Empty when there is
    none."""
    withheld = np.array([pattern[level][k] for k in keys], dtype=bool)
    value = np.array([int(counts.get(k, 0)) for k in keys])
    unknown = ((value != 0) | withheld) & ~_under_a_shown_zero(keys, level, lower, pattern, counts)
    allowed = unknown & withheld & (value < threshold)
    if not (allowed & (value > 0)).any():
        return []
    rows, owners = [], []
    for lv in lower:
        picks = [level.index(i) for i in lv]
        index: dict[Key, list[int]] = {}
        for k, key in enumerate(keys):
            index.setdefault(tuple(key[p] for p in picks), []).append(k)
        for short, members in sorted(index.items(), key=lambda item: repr(item[0])):
            if not pattern[lv].get(short, True):
                row = np.zeros(len(keys))
                row[members] = 1
                if row[unknown].any():
                    rows.append(row[unknown])
                    owners.append((lv, short))
    published = np.array(rows).reshape(len(rows), int(unknown.sum()))
    y = _selection_solution(published, keys, unknown, allowed, value, threshold)
    if y is None:
        return []
    return [o for o, weight in zip(owners, y, strict=True) if abs(weight) > 1e-9]


def _under_a_shown_zero(
    keys: list[Key], level: Level, lower: Sequence[Level], pattern: Pattern, counts: Mapping
) -> np.ndarray:
    """Per cell of a level, whether a coarser count it lies in is published as 0: counts are
    never negative, so every cell under a shown 0 is known to be 0 too."""
    out = np.zeros(len(keys), dtype=bool)
    for lv in lower:
        picks = [level.index(i) for i in lv]
        zero: dict[Key, int] = {}
        for key in keys:
            short = tuple(key[p] for p in picks)
            zero[short] = zero.get(short, 0) + int(counts.get(key, 0))
        out |= np.array(
            [
                zero[short] == 0 and not pattern[lv].get(short, True)
                for short in (tuple(key[p] for p in picks) for key in keys)
            ],
            dtype=bool,
        )
    return out


def _selection_solution(
    published: np.ndarray,
    keys: list[Key],
    unknown: np.ndarray,
    allowed: np.ndarray,
    value: np.ndarray,
    threshold: int,
) -> np.ndarray | None:
    """The weights y of the published rows that add up to a small selection, or None.

    Variables: y (free) per published row, s (0/1) per value of each grouping, x (0/1) per
    allowed cell; x is the product of its values' s, no other unknown cell lies in the
    product, and published.T @ y equals x on the allowed cells and 0 on the other unknown
    ones. The constraints keep 0/1 coefficients: a null-space basis in floating point made
    the solver call true sums infeasible."""
    width = len(keys[0])
    values = [sorted({k[i] for k in keys}, key=_sort_key) for i in range(width)]
    offset = np.cumsum([0, *(len(v) for v in values)])
    n_rows, n_values = published.shape[0], int(offset[-1])
    cell_var = {int(k): n for n, k in enumerate(np.flatnonzero(allowed))}
    n = n_rows + n_values + len(cell_var)

    def s(k: int) -> list[int]:
        return [n_rows + int(offset[i]) + values[i].index(keys[k][i]) for i in range(width)]

    equal = np.zeros((published.shape[1], n))
    equal[:, :n_rows] = published.T
    for column, k in enumerate(np.flatnonzero(unknown)):
        if int(k) in cell_var:
            equal[column, n_rows + n_values + cell_var[int(k)]] = -1
    product, upper = [], []  # x <= each of its s; sum of its s - x <= width - 1
    for k in np.flatnonzero(unknown):  # and an unknown cell that is not allowed lies outside
        row = np.zeros(n)
        row[s(int(k))] = 1
        if int(k) in cell_var:
            x = n_rows + n_values + cell_var[int(k)]
            row[x] = -1
            for var in s(int(k)):
                below = np.zeros(n)
                below[[x, var]] = 1, -1
                product.append(below)
                upper.append(0.0)
        product.append(row)
        upper.append(width - 1.0)
    nonempty = np.zeros((width, n))
    for i in range(width):
        nonempty[i, n_rows + offset[i] : n_rows + offset[i + 1]] = 1
    people = np.zeros(n)
    people[n_rows + n_values :] = value[allowed]
    result = milp(
        c=people,
        constraints=[
            LinearConstraint(equal, 0, 0),
            LinearConstraint(np.array(product), -np.inf, np.array(upper)),
            LinearConstraint(nonempty, 1, np.inf),
            LinearConstraint(people[None, :], 1, threshold - 1),
        ],
        integrality=np.concatenate([np.zeros(n_rows), np.ones(n - n_rows)]),
        bounds=Bounds(
            np.concatenate([np.full(n_rows, -np.inf), np.zeros(n - n_rows)]),
            np.concatenate([np.full(n_rows, np.inf), np.ones(n - n_rows)]),
        ),
    )
    if result.x is None:
        return None
    chosen = np.zeros(int(unknown.sum()))
    for column, k in enumerate(np.flatnonzero(unknown)):
        if int(k) in cell_var:
            chosen[column] = round(result.x[n_rows + n_values + cell_var[int(k)]])
    basis = _row_space(published)
    if np.linalg.norm(chosen - (chosen @ basis.T) @ basis) > 1e-6:
        return None  # a solver's tolerance, not a real sum
    return result.x[:n_rows]


class Published:
    """What a protected family publishes, to tell whether a union of its finest cells adds
    up from it: a selection that does reveals nothing the family does not already show."""

    def __init__(self, cells: Mapping[Key, int], dims: Sequence[str], pattern: Pattern):
        top = tuple(range(len(dims)))
        self.keys = list(pattern[top])
        self.withheld = np.array([pattern[top][k] for k in self.keys], dtype=bool)
        counts = np.array([int(cells.get(k, 0) or 0) for k in self.keys])
        self.unknown = (counts != 0) | self.withheld  # a published zero is known
        vectors = []
        for level, keys in pattern.items():
            index: dict[Key, list[int]] = {}
            for k, key in enumerate(self.keys):
                index.setdefault(tuple(key[i] for i in level), []).append(k)
            for short, withheld in keys.items():
                if not withheld and short in index:
                    vector = np.zeros(len(self.keys))
                    vector[index[short]] = 1
                    vectors.append(vector[self.unknown])
        matrix = np.array(vectors).reshape(len(vectors), int(self.unknown.sum()))
        self.basis = _row_space(matrix)

    def adds_up(self, chosen: Sequence[bool]) -> bool:
        """Whether the sum of the chosen finest cells is derivable from what is published."""
        mask = np.asarray(chosen, dtype=bool)
        if not (mask & self.withheld).any():
            return True  # a sum of published cells
        vector = mask[self.unknown].astype(float)
        residual = vector - (vector @ self.basis.T) @ self.basis
        return bool(np.linalg.norm(residual) < 1e-6)


def close(groups: Sequence[str], parents: Mapping[str, Sequence[str]]) -> list[str]:
    """The groupings plus, recursively, the ones they nest in (asked groupings first)."""
    out = list(groups)
    for name in out:
        out += [p for p in parents.get(name, ()) if p not in out]
    return out


def suppress_table(
    rows: Sequence[Mapping[str, Any]],
    dims: Sequence[str],
    counts: Sequence[str],
    threshold: int = THRESHOLD,
    parents: Mapping[str, Sequence[str]] | None = None,
    within: Mapping[str, str] | None = None,
    known: Mapping[str, Sequence[tuple[str, Collection, bool]]] | None = None,
) -> list[dict]:
    """The rows of a grouped result after suppression, each count column its own family.

    `dims` must hold every parent of its groupings (see `close`): the rows of a region table
    carry their province so the provinces' totals are protected with it. `within` maps a
    count to the count it is a subset of; when the rows carry that one too, small gaps count.
    `known` gives per count column the counts published elsewhere that its cells add up to.

    A grouped result lists only the groups that have people, so a missing group reads as 0.
    When protecting needs a 0 withheld, its group is added as a row with the count withheld
    (and every other column empty): otherwise the table would still publish it.
    """

    def key_of(row: Mapping[str, Any]) -> Key:
        return tuple(row[d] for d in dims)

    out = {key_of(r): dict(r) for r in rows}
    for name in counts:
        cells = {key_of(r): int(r[name] or 0) for r in rows}
        outer_name = (within or {}).get(name)
        outer = (
            {key_of(r): int(r[outer_name] or 0) for r in rows}
            if outer_name and rows and outer_name in rows[0]
            else None
        )
        extra = (known or {}).get(name, ())
        pattern = protect(cells, dims, threshold, parents, outer, extra)
        # and no line whose withheld cells add up to a small number beside its shown total
        pattern = close_remainders(cells, dims, pattern, threshold, parents)
        top = pattern[tuple(range(len(dims)))]
        for key, withheld in top.items():
            if key not in out:
                if not withheld:
                    continue
                out[key] = dict.fromkeys(rows[0]) | dict(zip(dims, key, strict=True))
                out[key] |= {c: 0 for c in counts}  # an added row holds no people
            if withheld:
                out[key][name] = None
    return [out[key] for key in sorted(out, key=lambda k: tuple(map(_sort_key, k)))]


@dataclass(frozen=True)
class Suppressed:
    """A grid after suppression: counts with withheld ones as None, with its margins."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None

    def withheld(self) -> int:
        flat = [*sum(self.cells, []), *self.row_totals, *self.column_totals, self.total]
        return sum(v is None for v in flat)


def suppress_grid(cells: list[list[int]], threshold: int = THRESHOLD) -> Suppressed:
    """A grid of counts (rows x columns) with its row, column and grand totals."""
    grid = np.array(cells, dtype=np.int64).reshape(len(cells), -1)
    rows, cols = grid.shape
    family = {(i, j): int(grid[i, j]) for i in range(rows) for j in range(cols)}
    pattern = protect(family, ("row", "column"), threshold)

    def shown(value: int, withheld: bool) -> int | None:
        return None if withheld else int(value)

    return Suppressed(
        cells=[
            [shown(grid[i, j], pattern[(0, 1)][(i, j)]) for j in range(cols)] for i in range(rows)
        ],
        row_totals=[shown(grid[i].sum(), pattern[(0,)][(i,)]) for i in range(rows)],
        column_totals=[shown(grid[:, j].sum(), pattern[(1,)][(j,)]) for j in range(cols)],
        total=shown(grid.sum(), pattern[()][()]),
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
    values: dict[str, int], within: Mapping[str, str], threshold: int = THRESHOLD
) -> dict[str, int | None]:
    """Headline counts: each small count withheld, and each count that lies within another
    (stepped within decided, see metrics.yaml) withheld where the two differ by a small
    number; the same rule `protect` applies at every level of a table."""
    shown: dict[str, int | None] = {}
    for name, value in values.items():
        outer = values.get(within.get(name, ""), value)
        small = 0 < value < threshold or 0 < outer - value < threshold
        shown[name] = None if small else value
    return shown
