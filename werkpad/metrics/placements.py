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
EVER = dt.date(1, 1, 1)  # the range start of a selection without a period: every employer new


@cache
def load_placement_metrics(path: Path = METRICS_FILE) -> tuple[Metric, ...]:
    """The employer-network metrics, checked as the trajectories' are."""
    return checked_metrics(_spec(path)["placement_metrics"])


def placements_sql(filters: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The query and its parameters; every filter value is a bound parameter."""
    chosen = {k: v for k, v in filters.items() if v not in (None, [], ())}
    unknown = set(chosen) - set(PLACE_FILTERS) - set(PERIOD_FILTERS)
    if unknown:
        raise ValueError(f"placements cannot be selected by {', '.join(sorted(unknown))}")
    place = ["true", *(f"({FILTERS[k]})" for k in chosen if k in PLACE_FILTERS)]
    period = [PERIOD_FILTERS[k] for k in chosen if k in PERIOD_FILTERS]
    params = {k: list(v) if isinstance(v, list | tuple | set) else v for k, v in chosen.items()}
    params["range_start"] = chosen.get("reached_from") or EVER
    metrics = load_placement_metrics()
    counts = ",\n        ".join(
        f"{m.aggregate_sql()} AS {m.name}" for m in metrics if m.type != "ratio"
    )
    ratios = ",\n        ".join(
        item for m in metrics if m.type == "ratio" for item in m.ratio_sql()
    )
    sql = load_sql("metrics/placements").format(
        where=" AND ".join(place + period), place=" AND ".join(place), counts=counts,
        ratios=ratios,
    )  # fmt: skip
    return sql, params


def compute_placements(
    con: duckdb.DuckDBPyConnection, filters: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Every employer-network metric for the selection, as one dict."""
    sql, params = placements_sql(filters or {})
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    return dict(zip(names, row or (), strict=True))
