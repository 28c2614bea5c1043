"""Targets vs actual: how far each target of a site (DIR/targets.csv) is reached, and whether
that is where it should be by now.

The actual of a target is its metric over the trajectories first reached from `period_from`
to the earlier of `period_to` and the data date, in the user's scope, asked from the
published-figures layer: where the actual is withheld, so is everything derived from it.

- A count target is pro-rated: `expected` = target x the elapsed share of its period (days,
  0 to 1); `achievement` = actual / target; the status compares the achievement with the
  elapsed share, by the site's bands (site.yaml; PEPFAR's and DHIS2's convention).
- A rate target (0.65 of decisions a step to work) is not pro-rated; its status comes from
  the rate's 95% Wilson interval, so a small project is not called behind on noise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

from werkpad import figures, metrics
from werkpad.rendering.i18n import MISSING
from werkpad.site import StatusBands
from werkpad.sql import load_sql

if TYPE_CHECKING:
    from werkpad.rendering.i18n import Translator

STATUSES = ("behind", "at_risk", "on_track", "above")  # worst first, as the chips sort
NO_DATA = "no_data"  # the project has delivered no extract (in the vintage read): not judged


@dataclass(frozen=True)
class Target:
    project_code: str
    metric: str
    period_from: dt.date
    period_to: dt.date
    target: float


@dataclass(frozen=True)
class Progress:
    """One target on a day: None where the actual is withheld or not defined (no decisions)."""

    project_code: str
    metric: str
    period_from: dt.date
    period_to: dt.date
    target: float
    actual: float | None
    expected: float
    achievement: float | None
    status: str | None
    elapsed: float  # share of the period gone by on the day
    is_rate: bool
    on: dt.date  # the day it is judged on: the project's data date unless one is asked

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("elapsed"), out.pop("is_rate")
        dates = {k: str(getattr(self, k)) for k in ("period_from", "period_to", "on")}
        return out | dates


def read_targets(con: duckdb.DuckDBPyConnection) -> list[Target]:
    """The site's accepted targets, as the last load took them."""
    return [Target(*row) for row in con.execute(load_sql("queries/targets")).fetchall()]


def data_date(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The newest extract date in the warehouse: what `today` means for the figures."""
    row = con.execute(load_sql("queries/data_dates")).fetchone()
    return row[2] if row else None


def elapsed_share(period_from: dt.date, period_to: dt.date, on: dt.date) -> float:
    """The share of the period's days gone by at the end of `on`, 0 to 1."""
    days = (period_to - period_from).days + 1
    return min(1.0, max(0.0, ((on - period_from).days + 1) / days))


def count_status(achievement: float, elapsed: float, bands: StatusBands) -> str:
    if achievement < elapsed - bands.behind:
        return "behind"
    if achievement < elapsed - bands.at_risk:
        return "at_risk"
    if achievement > elapsed + bands.above:
        return "above"
    return "on_track"


def rate_status(rate: float, low: float, high: float, target: float) -> str:
    if high < target:
        return "behind"
    if low > target:
        return "above"
    return "at_risk" if rate < target else "on_track"


def project_data_dates(con: duckdb.DuckDBPyConnection) -> dict[str, dt.date]:
    """Each project's newest extract date."""
    return dict(con.execute(load_sql("queries/project_data_dates")).fetchall())


def progress(
    con: duckdb.DuckDBPyConnection,
    on: dt.date | None,
    bands: StatusBands,
    filters: Mapping[str, Any] | None = None,
    threshold: int | None = None,
    projects: Sequence[str] | None = None,
) -> list[Progress]:
    """Every target of the chosen projects (all when None) on day `on`, or, when None, on its
    project's own data date (its newest extract: a programme whose data ends in 2019 is
    judged on 2019, not on the site's newest file). `filters` are the user's scope; the
    period and the project are the target's own."""
    return [
        progress_of(con, target, day, bands, dict(filters or {}), threshold)
        for target, day in due(con, on, projects)
    ]


def due(
    con: duckdb.DuckDBPyConnection, on: dt.date | None, projects: Sequence[str] | None = None
) -> list[tuple[Target, dt.date]]:
    """Each target of the chosen projects (all when None) with the day it is judged on:
    `on`, or its project's data date (the site's newest when the project has none yet)."""
    dates = project_data_dates(con) if on is None else {}
    newest = max(dates.values(), default=None)
    chosen = []
    for target in read_targets(con):
        if projects is not None and target.project_code not in projects:
            continue
        day = on or dates.get(target.project_code) or newest
        if day is not None:  # else no data at all yet
            chosen.append((target, day))
    return chosen


def progress_of(
    con: duckdb.DuckDBPyConnection,
    target: Target,
    on: dt.date,
    bands: StatusBands,
    filters: dict[str, Any],
    threshold: int | None,
) -> Progress:
    is_rate = metrics.is_rate(target.metric)
    elapsed = elapsed_share(target.period_from, target.period_to, on)
    if target.project_code not in project_data_dates(con):
        return _not_judged(target, on, elapsed, is_rate)
    selection = filters | {
        "project": [target.project_code],
        "reached_from": target.period_from,
        "reached_to": min(target.period_to, on),
    }
    row = figures.headline(con, selection, threshold)
    actual = row.get(target.metric)
    if is_rate:
        expected = target.target
        low, high = row.get(f"{target.metric}_low"), row.get(f"{target.metric}_high")
        status = (
            None
            if actual is None or low is None or high is None
            else rate_status(actual, low, high, target.target)
        )
        achievement = None if actual is None else actual / target.target
    else:
        expected = target.target * elapsed
        achievement = None if actual is None else actual / target.target
        status = None if achievement is None else count_status(achievement, elapsed, bands)
    return Progress(
        target.project_code, target.metric, target.period_from, target.period_to,
        target.target, actual, expected, achievement, status, elapsed, is_rate, on,
    )  # fmt: skip


def _not_judged(target: Target, on: dt.date, elapsed: float, is_rate: bool) -> Progress:
    """A target of a project that has delivered no extract yet (or none by the vintage
    read): no actual, no status. Counting its nobody as 0 called it "0 of 120, behind" in
    a past vintage (found in review), while nothing was known."""
    expected = target.target if is_rate else target.target * elapsed
    return Progress(
        target.project_code, target.metric, target.period_from, target.period_to,
        target.target, None, expected, None, NO_DATA, elapsed, is_rate, on,
    )  # fmt: skip


def cumulative(
    con: duckdb.DuckDBPyConnection,
    target: Target,
    on: dt.date,
    filters: Mapping[str, Any] | None = None,
    threshold: int | None = None,
) -> list[dict[str, Any]]:
    """A count target's actual by month, added up, beside the target's path (the target
    pro-rated to each month's end). The months come from the published-figures layer, so a
    withheld month leaves the running total unknown from then on (None), never guessed."""
    selection = dict(filters or {}) | {
        "project": [target.project_code],
        "reached_from": target.period_from,
        "reached_to": min(target.period_to, on),
    }
    months = figures.grouped(con, selection, ["reached_month"], [target.metric], threshold)
    by_month = {row["reached_month"]: row[target.metric] for row in months}
    out: list[dict[str, Any]] = []
    total: float | None = 0.0
    month = target.period_from.replace(day=1)
    while month <= min(target.period_to, on):
        end = min(_month_end(month), target.period_to)
        count = by_month.get(month, 0)
        total = None if total is None or count is None else total + count
        share = elapsed_share(target.period_from, target.period_to, end)
        out.append({"month": month, "actual": total, "path": target.target * share})
        month = _month_end(month) + dt.timedelta(days=1)
    return out


def _month_end(month: dt.date) -> dt.date:
    following = month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)
    return following - dt.timedelta(days=1)


def frame(rows: Sequence[Progress], metric_label: Callable[[str], str]) -> pl.DataFrame:
    """The targets as one table for charts and downloads: a label per target ("WGTW-ANT ·
    People reached"), the shares a progress bar draws, and the figures themselves."""
    schema = {
        "label": pl.String, "project_code": pl.String, "metric": pl.String,
        "period_from": pl.Date, "period_to": pl.Date, "target": pl.Float64,
        "actual": pl.Float64, "expected": pl.Float64, "achievement": pl.Float64,
        "expected_share": pl.Float64, "status": pl.String, "is_rate": pl.Boolean,
        "on": pl.Date,
    }  # fmt: skip
    records = [
        {
            "label": f"{r.project_code} · {metric_label(r.metric)}",
            **{k: getattr(r, k) for k in schema if hasattr(r, k)},
            "expected_share": 1.0 if r.is_rate else r.elapsed,
        }
        for r in rows
    ]
    return pl.DataFrame(records, schema=schema)


def of(row: Progress) -> Target:
    """The target a progress row is about."""
    return Target(row.project_code, row.metric, row.period_from, row.period_to, row.target)


def table(shown: pl.DataFrame, t: Translator) -> pl.DataFrame:
    """The targets as a person reads them in a download: the metric and the status in words,
    rates and counts as they are (the file's format shows them)."""
    return shown.select(
        "project_code",
        pl.col("metric").map_elements(t.metric, return_dtype=pl.String),
        "period_from",
        "period_to",
        "target",
        "actual",
        "expected",
        "achievement",
        pl.col("status").map_elements(
            lambda s: t(f"targets.status.{s}"), return_dtype=pl.String, skip_nulls=True
        ),
    )


def selected_projects(projects: pl.DataFrame, filters: Mapping[str, Any]) -> tuple[str, ...]:
    """The projects (project_code, programme_code, province_code) that a selection's
    programme, province and project filters and the user's scope pick: whose targets show."""
    for name in ("programme", "province", "project", "scope_province", "scope_project"):
        if filters.get(name):
            column = f"{name.removeprefix('scope_')}_code"
            projects = projects.filter(pl.col(column).is_in(list(filters[name])))
    return tuple(projects["project_code"])


def period(t: Translator, start: dt.date, end: dt.date) -> str:
    """A target's period as short as it is exact: 2021–2023 for whole years, else dates."""
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    return f"{t.date(start)}–{t.date(end)}"


def title(shown: pl.DataFrame, t: Translator) -> str:
    """The targets' title: the day they are judged on, or, when their projects' data end on
    different days, that each is judged on its own project's newest data."""
    days = shown["on"].unique().to_list()
    if len(days) == 1:
        return t("targets.progress_title", date=t.date(days[0]))
    return t("targets.progress_title_each")


def row_styles(shown: pl.DataFrame) -> list[dict[str, str]]:
    """Per target, how a spreadsheet formats its figures: a rate target's as percentages,
    a count target's as whole people; the share of the target always as a percentage."""
    return [
        dict.fromkeys(("target", "actual", "expected"), "rate" if rate else "count")
        | {"achievement": "rate"}
        for rate in shown["is_rate"]
    ]


def pdf_rows(shown: pl.DataFrame, t: Translator) -> tuple[list[str], list[list[str]]]:
    """The targets as the PDF's table: header and rows, every cell formatted."""

    def value(v: float | None, rate: bool, status: str | None = None) -> str:
        if status == NO_DATA:  # nothing known, not withheld
            return MISSING
        return t.missing if v is None else t.rate(v) if rate else t.count(v)

    keys = ("target_of", "period", "target", "actual", "expected", "share", "status")
    header = [t(f"targets.pdf.{key}") for key in keys]
    rows = [
        [r["label"], period(t, r["period_from"], r["period_to"]),
         value(r["target"], r["is_rate"]), value(r["actual"], r["is_rate"], r["status"]),
         value(r["expected"], r["is_rate"]), value(r["achievement"], True, r["status"]),
         t(f"targets.status.{r['status']}") if r["status"] else t.missing]
        for r in shown.iter_rows(named=True)
    ]  # fmt: skip
    return header, rows
