"""The metrics layer: every metric defined once in metrics.yaml, computed by one SQL template.

`compute(con, filters, group_by)` returns the metrics for the filtered trajectories, one row per
group. Filters are always bound as query parameters, never pasted into SQL. To add a filter,
add its column condition to FILTERS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import yaml

from werkpad.config import METRICS_FILE
from werkpad.contract import default_contract
from werkpad.sql import load_sql, quote_ident, sql_list


def _flags(param: str) -> str:
    """Rows in any of the target groups listed in $param (the contract's boolean columns,
    whose names load_contract checks are lower-case identifiers)."""
    return " OR ".join(
        f"(list_contains(${param}, {sql_list([group])}) AND {quote_ident(group)})"
        for group in default_contract().target_groups
    )


# filter name -> SQL condition on marts.fct_trajectories with one named parameter
FILTERS: dict[str, str] = {
    "programme": "programme_code IN (SELECT unnest($programme))",
    "project": "project_code IN (SELECT unnest($project))",
    "province": "province_code IN (SELECT unnest($province))",
    "region": "region_code IN (SELECT unnest($region))",
    "partner": "partner_code IN (SELECT unnest($partner))",
    "referral_source": "referral_source IN (SELECT unnest($referral_source))",
    "gender": "gender IN (SELECT unnest($gender))",
    "age_group": "age_group IN (SELECT unnest($age_group))",
    "education_level": "education_level IN (SELECT unnest($education_level))",
    "reached_from": "reached_on >= $reached_from",
    "reached_to": "reached_on <= $reached_to",
    # a user's scope (werkpad.access.scope_filters): added with AND to whatever is asked
    "scope_province": "province_code IN (SELECT unnest($scope_province))",
    "scope_project": "project_code IN (SELECT unnest($scope_project))",
    # any of the selected target groups: a boolean column each, marked in the contract
    "target_group": _flags("target_group"),
    # and, on top of that, in one of these groups: a report's row per target group narrows
    # the selection (which may itself be a target group) instead of replacing it
    "target_group_row": _flags("target_group_row"),
}


# A list filter picks rows by the values of one column: the part of the data a row falls in
# for that filter. werkpad.figures protects a selection as a union of cells of the table by
# these parts, one cell per value, whatever values are chosen; the target-group filters pick
# by flags, and each target group they name is a part of its own (in or out), `flag_part`.
PARTS: dict[str, str] = {
    "programme": "programme_code",
    "project": "project_code",
    "province": "province_code",
    "region": "region_code",
    "partner": "partner_code",
    "referral_source": "referral_source",
    "gender": "gender",
    "age_group": "age_group",
    "education_level": "education_level",
}
FLAG_PARTS = ("target_group", "target_group_row")  # filters that pick by flags


def target_groups() -> list[str]:
    """The contract's target groups, each a boolean column of the mart."""
    return list(default_contract().target_groups)


def flag_part(group: str) -> str:
    """The part name of one target group's flag (a lower-case identifier, see the contract)."""
    if group not in default_contract().target_groups:
        raise ValueError("not a target group of the contract")
    return f"flag_{group}"


def _part_expression(part: str) -> str:
    if part in PARTS:
        return PARTS[part]
    group = part.removeprefix("flag_")
    flag_part(group)  # refuses anything but a known target group
    return f"coalesce({quote_ident(group)}, false)"


# Columns a result may be grouped by: the mart's own columns, checked against this list.
GROUPABLE = (
    "reached_quarter",
    "decision_state",
    "outcome",
    "programme_code",
    "project_code",
    "province_code",
    "region_code",
    "partner_code",
    "partner_type",
    "referral_source",
    "gender",
    "age_group",
    "education_level",
    "benefit_status",
    "reached_month",
    "partner_month",
    "step_type",
    "job_circuit",
    "end_reason",
    "decision",
)


@dataclass(frozen=True)
class Metric:
    name: str
    type: str
    label: str
    description: str
    condition: str | None = None
    expression: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    interval: str | None = None
    # a count whose people include all of this count's (for an aggregate: a distinct count,
    # the count it cannot exceed; see metrics.yaml `placement_metrics`)
    within: str | None = None

    @property
    def parts(self) -> tuple[str, str]:
        """A ratio's numerator and denominator (load_metrics checks that a ratio has both)."""
        if self.numerator is None or self.denominator is None:
            raise ValueError(f"metric {self.name} is not a ratio")
        return self.numerator, self.denominator

    def aggregate_sql(self) -> str:
        """The SQL aggregate of a count or aggregate metric."""
        if self.type == "count":
            return f"count(*) FILTER (WHERE {self.condition})"
        return str(self.expression)

    def ratio_sql(self) -> list[str]:
        """The select items of a ratio metric: the rate and, if asked, its Wilson interval."""
        k, n = self.numerator, self.denominator
        items = [f"{k} / nullif({n}, 0) AS {self.name}"]
        if self.interval == "wilson":
            items += [
                f"werkpad_wilson_low({k}, {n}) AS {self.name}_low",
                f"werkpad_wilson_high({k}, {n}) AS {self.name}_high",
            ]
        return items


@cache
def _spec(path: Path = METRICS_FILE) -> dict:
    """metrics.yaml, parsed once per process."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@cache
def load_metrics(path: Path = METRICS_FILE) -> tuple[Metric, ...]:
    """The metric definitions; raises ValueError on a ratio over an unknown metric."""
    return checked_metrics(_spec(path)["metrics"])


def checked_metrics(specs: list[dict]) -> tuple[Metric, ...]:
    """Metrics from their metrics.yaml entries (this family's or the employer network's);
    raises ValueError on an unknown type, a ratio over an unknown metric or a bad `within`."""
    metrics = tuple(Metric(**spec) for spec in specs)
    names = {m.name for m in metrics if m.type in ("count", "aggregate")}
    counts = {m.name for m in metrics if m.type == "count"}
    for m in metrics:
        if m.type not in ("count", "aggregate", "ratio"):
            raise ValueError(f"metric {m.name}: unknown type {m.type}")
        if m.type == "ratio" and not {m.numerator, m.denominator} <= names:
            raise ValueError(f"metric {m.name}: numerator and denominator must be other metrics")
        if m.within and m.type == "count" and m.within not in counts:
            raise ValueError(f"metric {m.name}: a count lies within another count")
        if m.within and m.type not in ("count", "aggregate") or m.within not in (None, *names):
            raise ValueError(f"metric {m.name}: only a count or a distinct count lies within")
    return metrics


@cache
def parents(path: Path = METRICS_FILE) -> dict[str, tuple[str, ...]]:
    """Grouping -> the groupings it nests in (metrics.yaml `hierarchy`), for suppression."""
    spec = _spec(path).get("hierarchy") or {}
    unknown = (set(spec) | {p for ps in spec.values() for p in ps}) - set(GROUPABLE)
    if unknown:
        raise ValueError(f"hierarchy names groupings that do not exist: {sorted(unknown)}")
    return {child: tuple(ps) for child, ps in spec.items()}


@dataclass(frozen=True)
class Identity:
    """Headline count `metric` equals count `is_` over the rows whose `grouping` is in `values`."""

    metric: str
    is_: str
    grouping: str
    values: tuple[str, ...]


@cache
def identities(path: Path = METRICS_FILE) -> tuple[Identity, ...]:
    """The metrics.yaml `identities`, checked against the metrics and groupings."""
    specs = _spec(path).get("identities") or []
    counts = {m.name for m in load_metrics(path) if m.type == "count"}
    out = []
    for spec in specs:
        for grouping, values in spec["where"].items():
            if {spec["metric"], spec["is"]} - counts or grouping not in GROUPABLE:
                raise ValueError(f"identity {spec}: unknown count or grouping")
            out.append(Identity(spec["metric"], spec["is"], grouping, tuple(values)))
    return tuple(out)


def _all_metrics(path: Path = METRICS_FILE) -> tuple[Metric, ...]:
    """Both families' metrics: the people's and the employer network's."""
    return load_metrics(path) + checked_metrics(_spec(path).get("placement_metrics") or [])


def shown(name: str, path: Path = METRICS_FILE) -> list[str]:
    """A list of metrics shown together (metrics.yaml `shown`: `overview`, `report`)."""
    names = list(_spec(path)["shown"][name])
    unknown = set(names) - {m.name for m in _all_metrics(path)}
    if unknown:
        raise ValueError(f"shown.{name} names unknown metrics {sorted(unknown)}")
    return names


# The journey funnel, in order: each stage is a subset of the one before (metrics.yaml).
FUNNEL = shown("funnel")


def is_rate(name: str) -> bool:
    """A ratio metric, shown as a percentage (a change in percentage points)."""
    return next(m for m in _all_metrics() if m.name == name).type == "ratio"


def categories(grouping: str) -> list[str]:
    """A grouping's values in display order: the contract's (columns, rollups, reference
    values), else the mart's derived groupings in metrics.yaml `groupings`; [] when the values
    are data (projects, regions, partners, months)."""
    try:
        return default_contract().categories(grouping)
    except KeyError:
        return [str(v) for v in (_spec().get("groupings") or {}).get(grouping, [])]


def within() -> dict[str, str]:
    """Count -> the count it is a subset of (metrics.yaml `within`), for suppression."""
    return {m.name: m.within for m in load_metrics() if m.within}


def with_companions(names: list[str]) -> list[str]:
    """The metrics asked for plus the counts that the asked counts (and rates' parts) lie
    within, so suppression can see where two of them differ by a small number."""
    have = {m.name for m in _selected(names)}
    return [*names, *sorted({w for n, w in within().items() if n in have} - have)]


def metric_names() -> list[str]:
    return [m.name for m in load_metrics()]


def every_metric_name() -> list[str]:
    """The names of both families' metrics (people's and the employer network's)."""
    return [m.name for m in _all_metrics()]


def where_clause(filters: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """SQL conditions and parameters for the filters that are set (empty lists mean all)."""
    conditions, params = ["true"], {}
    for name, value in filters.items():
        if value in (None, [], ()):
            continue
        if name not in FILTERS:
            raise ValueError(f"unknown filter {name}")
        conditions.append(f"({FILTERS[name]})")  # a filter's own OR never escapes it
        params[name] = list(value) if isinstance(value, list | tuple | set) else value
    return " AND ".join(conditions), params


def _selected(names: list[str] | None) -> list[Metric]:
    """The metrics asked for plus what their ratios need, in definition order."""
    metrics = load_metrics()
    if names is None:
        return list(metrics)
    bounds = {f"{m.name}_{end}": m.name for m in metrics if m.interval for end in ("low", "high")}
    wanted = {bounds.get(n, n) for n in names}  # an interval bound comes with its rate
    unknown = wanted - {m.name for m in metrics}
    if unknown:
        raise ValueError(f"unknown metrics {sorted(unknown)}")
    for m in metrics:
        if m.name in wanted and m.type == "ratio":
            wanted |= set(m.parts)
    return [m for m in metrics if m.name in wanted]


def metrics_sql(
    filters: dict[str, Any],
    group_by: list[str] | None = None,
    only: list[str] | None = None,
    parts: list[str] | None = None,
) -> tuple[str, dict]:
    """The metrics query; `parts` (PARTS names) groups by the part of each of those filters,
    as columns `part_<filter>`, with those filters themselves switched off."""
    group_by = group_by or []
    unknown = set(group_by) - set(GROUPABLE)
    if unknown:
        raise ValueError(f"cannot group by {sorted(unknown)}")
    parts = parts or []
    where, params = where_clause({k: v for k, v in filters.items() if k not in parts})
    metrics = _selected(only)
    counts = ",\n        ".join(
        f"{m.aggregate_sql()} AS {m.name}" for m in metrics if m.type != "ratio"
    )
    ratios = (
        ",\n        ".join(item for m in metrics if m.type == "ratio" for item in m.ratio_sql())
        or "NULL AS no_ratio"
    )
    names = [*group_by, *(f"part_{p}" for p in parts)]
    items = [*group_by, *(f"{_part_expression(p)} AS part_{p}" for p in parts)]
    columns = ", ".join(names)
    sql = load_sql("metrics/aggregate").format(
        where=where,
        counts=counts,
        ratios=ratios,
        group_select=f"{', '.join(items)}," if names else "",
        group_by=f"GROUP BY {columns}" if names else "",
        order_by=f"ORDER BY {columns}" if names else "",
    )
    return sql, params


def compute(
    con: duckdb.DuckDBPyConnection,
    filters: dict[str, Any] | None = None,
    group_by: list[str] | None = None,
    only: list[str] | None = None,
    parts: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Metrics per group as plain dicts (one dict when not grouped); `only` limits the metrics,
    `parts` groups by the parts of those filters instead of applying them (see metrics_sql)."""
    sql, params = metrics_sql(filters or {}, group_by, only, parts)
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def headline(con: duckdb.DuckDBPyConnection, filters: dict[str, Any] | None = None) -> dict:
    """The metrics over all filtered trajectories, JSON-ready (dates as ISO strings)."""
    row = compute(con, filters)[0]
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}
