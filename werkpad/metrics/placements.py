"""The employer-network metrics (metrics.yaml `placement_metrics`, issue 13).

They are computed over marts.fct_placements with the same kinds of metric as the trajectories'
(count, aggregate, ratio with a Wilson interval) and one SQL template
(werkpad/sql/metrics/placements.sql). A selection picks placements by where the trajectory
lies (programme, project, province, region, partner, the user's scope) and by when the
placement started: the period filters `reached_from`/`reached_to` of a page select by
`started_on` here. A filter about the person (gender, target group, ...) does not apply to
placements yet and is refused by name.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from werkpad.config import METRICS_FILE
from werkpad.metrics import FILTERS, Metric, _spec, checked_metrics
from werkpad.sql import load_sql

# filters on where the placement's trajectory lies, as werkpad.metrics.FILTERS words them
PLACE_FILTERS = ("programme", "project", "province", "region", "partner", "scope_province",
                 "scope_project")  # fmt: skip
PERIOD_FILTERS = {
    "reached_from": "started_on >= $reached_from",
    "reached_to": "started_on <= $reached_to",
}


def selectable(filters: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The filters placements can be selected by, and the names of those set that they
    cannot (about the person: gender, target group, ...), for a page to say so."""
    kept = {k: v for k, v in filters.items() if k in PLACE_FILTERS or k in PERIOD_FILTERS}
    ignored = [k for k, v in filters.items() if k not in kept and v not in (None, [], ())]
    return kept, ignored


EVER = dt.date(1, 1, 1)  # the range start of a selection without a period: every employer new


@cache
def load_placement_metrics(path: Path = METRICS_FILE) -> tuple[Metric, ...]:
    """The employer-network metrics, checked as the trajectories' are."""
    return checked_metrics(_spec(path)["placement_metrics"])


# columns of marts.fct_placements a result may be grouped by
GROUPABLE = ("started_quarter", "programme_code", "project_code", "province_code", "region_code",
             "partner_code", "partner_type", "placement_type", "employer_sector", "employer_size",
             "employer_economy", "employer_region_code", "end_reason")  # fmt: skip


def placements_sql(
    filters: dict[str, Any], group_by: list[str] | None = None, only: list[str] | None = None
) -> tuple[str, dict[str, Any]]:
    """The query and its parameters; every filter value is a bound parameter. `only` limits
    the metrics (a ratio brings its parts)."""
    group_by = group_by or []
    if set(group_by) - set(GROUPABLE):
        raise ValueError(
            f"placements cannot be grouped by {sorted(set(group_by) - set(GROUPABLE))}"
        )
    chosen = {k: v for k, v in filters.items() if v not in (None, [], ())}
    unknown = set(chosen) - set(PLACE_FILTERS) - set(PERIOD_FILTERS)
    if unknown:
        raise ValueError(f"placements cannot be selected by {', '.join(sorted(unknown))}")
    place = ["true", *(f"({FILTERS[k]})" for k in chosen if k in PLACE_FILTERS)]
    period = [PERIOD_FILTERS[k] for k in chosen if k in PERIOD_FILTERS]
    params = {k: list(v) if isinstance(v, list | tuple | set) else v for k, v in chosen.items()}
    params["range_start"] = chosen.get("reached_from") or EVER
    metrics = _selected(only)
    counts = ",\n        ".join(
        f"{m.aggregate_sql()} AS {m.name}" for m in metrics if m.type != "ratio"
    )
    ratios = (
        ",\n        ".join(item for m in metrics if m.type == "ratio" for item in m.ratio_sql())
        or "NULL AS no_ratio"
    )
    columns = ", ".join(group_by)
    sql = load_sql("metrics/placements").format(
        where=" AND ".join(place + period), place=" AND ".join(place), counts=counts,
        ratios=ratios, group_select=f"{columns}," if group_by else "",
        group_by=f"GROUP BY {columns}" if group_by else "",
        order_by=f"ORDER BY {columns}" if group_by else "",
    )  # fmt: skip
    return sql, params


def _selected(names: list[str] | None) -> list[Metric]:
    """The metrics asked for plus the parts of the ratios among them, in definition order."""
    metrics = load_placement_metrics()
    if names is None:
        return list(metrics)
    bounds = {f"{m.name}_{end}": m.name for m in metrics if m.interval for end in ("low", "high")}
    wanted = {bounds.get(n, n) for n in names}
    if wanted - {m.name for m in metrics}:
        raise ValueError(f"unknown placement metrics {sorted(wanted - {m.name for m in metrics})}")
    for m in metrics:
        if m.name in wanted and m.type == "ratio":
            wanted |= set(m.parts)
    return [m for m in metrics if m.name in wanted]


def compute_placements(
    con: duckdb.DuckDBPyConnection, filters: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Every employer-network metric for the selection, as one dict."""
    return grouped_placements(con, filters)[0]


def grouped_placements(
    con: duckdb.DuckDBPyConnection,
    filters: dict[str, Any] | None = None,
    group_by: list[str] | None = None,
    only: list[str] | None = None,
) -> list[dict[str, Any]]:
    """The employer-network metrics per group (one row when not grouped). An employer
    counts as returning when it had a placement of the whole selection in the year before
    the period, whichever group that one lay in: returning to the network."""
    sql, params = placements_sql(filters or {}, group_by, only)
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def within() -> dict[str, str]:
    """Count or distinct count -> the count it lies within (metrics.yaml), for suppression."""
    return {m.name: m.within for m in load_placement_metrics() if m.within}


def counts() -> list[str]:
    """The additive counts of placements, protected like counts of people."""
    return [m.name for m in load_placement_metrics() if m.type == "count"]


def employer_counts() -> list[str]:
    """The distinct counts of employers (aggregates declared `within` a count)."""
    return [m.name for m in load_placement_metrics() if m.type == "aggregate" and m.within]
