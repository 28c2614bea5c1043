"""Query functions for the pages: one cached read-only connection, bounded result caches.

Every figure comes from the metrics layer (werkpad.metrics) or from a SQL file under
`sql/dashboard/`; nothing here computes a metric. The connection is re-opened when the nightly
load has swapped in a new warehouse file (its inode changes), so the dashboard never holds the
writer up and never shows a half load; each version gets its own DuckDB instance (see
werkpad.warehouse.connect_read_only). Results are cached per warehouse version and filters.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from werkpad import config, figures, targets
from werkpad import submissions as werkpad_submissions
from werkpad.site import StatusBands
from werkpad.sql import load_sql, one_row
from werkpad.warehouse import connect_read_only, has_table

# the live file's (inode, mtime) and the vintage read from it: an ISO date, or None for the
# current data. Every cached result is keyed by it, so a vintage is one more version.
Version = tuple[int, int, str | None]


def warehouse_path() -> Path:
    """--warehouse after `--` on the streamlit command line, else WERKPAD_WAREHOUSE, else demo."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--warehouse", type=Path)
    known, _ = parser.parse_known_args(sys.argv[1:])
    env = os.environ.get("WERKPAD_WAREHOUSE")
    return known.warehouse or (Path(env) if env else config.DEFAULT_WAREHOUSE)


def version() -> Version | None:
    """Identity of the live warehouse file; None when there is none yet.

    Every cached result is keyed by it, so a load that swaps a new file in (a new inode)
    refreshes every figure on the next rerun of any session.
    """
    file = _version_of(warehouse_path())
    return None if file is None else (*file, None)


def as_of(version: Version, day: dt.date | None) -> Version:
    """The same warehouse file read as of `day` (pipelines.vintage); None: the current data."""
    return version[0], version[1], day.isoformat() if day else None


def _version_of(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns


@dataclass(frozen=True)
class _Opened:
    """One version of the warehouse file, opened, and the catalog its cursors must USE."""

    version: tuple[int, int]
    connection: duckdb.DuckDBPyConnection
    catalog: str
    vintages: dict[str, str] = field(default_factory=dict)  # ISO date -> its catalog


_open: dict[str, _Opened] = {}  # warehouse path -> the newest version opened, for all sessions
_open_lock = threading.Lock()


def _opened(path: Path, version: tuple[int, int]) -> _Opened:
    """The warehouse file of this version, opened once for all sessions.

    A newer version opens a new connection and drops the old one without closing it: a
    session mid-query holds a cursor, which keeps the old file open until the query is done,
    and DuckDB frees it with the last cursor. A session still asking for a superseded version
    (it read the version before the swap) gets the newest connection, never an error.
    """
    with _open_lock:
        held = _open.get(str(path))
        if held and (held.version == version or version != _version_of(path)):
            return held
        con = connect_read_only(path)
        catalog = one_row(con.execute("SELECT current_database()"))[0]
        _open[str(path)] = _Opened(version, con, catalog)
        return _open[str(path)]


def cursor(version: Version) -> duckdb.DuckDBPyConnection:
    """A cursor of the shared connection; cursors may be used from several sessions at once.
    For a past vintage, the cursor reads that vintage's catalog, built once per file."""
    opened = _opened(warehouse_path(), version[:2])
    cur = opened.connection.cursor()
    cur.execute(f"USE {opened.catalog}")  # USE is per connection: a cursor starts elsewhere
    if version[2] is not None:
        cur.execute(f"USE {_vintage(opened, version[2])}")
    return cur


def _vintage(opened: _Opened, day: str) -> str:
    """The catalog of the vintage `day` on this file's connection, built on first use."""
    from pipelines.vintage import use_vintage

    with _open_lock:
        if day not in opened.vintages:
            builder = opened.connection.cursor()
            builder.execute(f"USE {opened.catalog}")
            opened.vintages[day] = use_vintage(builder, dt.date.fromisoformat(day), opened.catalog)
        return opened.vintages[day]


def freeze(filters: dict[str, Any]) -> tuple:
    """Filters as a hashable, order-independent cache key."""
    return tuple(
        sorted(
            (k, tuple(v) if isinstance(v, list) else v)
            for k, v in filters.items()
            if v not in (None, [], ())
        )
    )


def _thaw(filters: tuple) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in filters}


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def headline(
    version: Version,
    filters: tuple,
    threshold: int | None = None,
    only: tuple[str, ...] | None = None,
) -> dict:
    """The metrics over every trajectory in the selection (or those `only`: a page computes
    the figures it shows, not all forty), suppressed when a threshold is set."""
    return figures.headline(cursor(version), _thaw(filters), threshold, only)


def _frame(rows: list[dict], columns: list[str]) -> pl.DataFrame:
    """Grouped rows as a frame of exactly these columns (none: an empty frame of them)."""
    if not rows:
        return pl.DataFrame(schema=dict.fromkeys(columns, pl.Null))
    return pl.DataFrame(rows, infer_schema_length=None).select(columns)


@st.cache_data(max_entries=512, ttl=3600, show_spinner=False)
def grouped(
    version: Version,
    filters: tuple,
    group_by: tuple[str, ...],
    only: tuple[str, ...],
    threshold: int | None = None,
) -> pl.DataFrame:
    """The metrics `only` per group, as a polars frame with the groups first, sorted by them.

    With a threshold (scoped roles) small counts are suppressed before anything is cached, so
    every chart, table and download of that user shows the suppressed figures.
    """
    rows = figures.grouped(
        cursor(version),
        _thaw(filters),
        group_by,
        only,
        threshold,
        lambda: headline(version, filters, threshold),  # cached: pages ask for it anyway
    )
    return _frame(rows, [*group_by, *only])


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def placement_headline(version: Version, filters: tuple, threshold: int | None = None) -> dict:
    """The employer-network metrics of the selection (issue 13), suppressed if due."""
    return figures.placement_headline(cursor(version), _thaw(filters), threshold)


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def placement_grouped(
    version: Version,
    filters: tuple,
    group_by: tuple[str, ...],
    only: tuple[str, ...],
    threshold: int | None = None,
) -> pl.DataFrame:
    """The employer-network metrics `only` per group, as `grouped` gives people's."""
    rows = figures.placement_grouped(
        cursor(version), _thaw(filters), group_by, only, threshold,
        lambda: placement_headline(version, filters, threshold),
    )  # fmt: skip
    return _frame(rows, [*group_by, *only])


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def network_growth(version: Version, filters: tuple, threshold: int | None = None) -> pl.DataFrame:
    """The employer network per quarter (werkpad.figures.network_growth)."""
    rows = figures.network_growth(cursor(version), _thaw(filters), threshold)
    columns = ["started_quarter", *figures.GROWTH, "employers_total"]
    if not rows:
        return pl.DataFrame(schema={c: pl.Date if c == "started_quarter" else pl.Int64
                                    for c in columns})  # fmt: skip
    return pl.DataFrame(rows, infer_schema_length=None).select(columns)


@st.cache_data(max_entries=128, ttl=3600, show_spinner=False)
def progress(
    version: Version,
    projects: tuple[str, ...],
    scope: tuple,
    threshold: int | None,
    bands: StatusBands,
) -> list[targets.Progress]:
    """The targets of these projects on the data date, in the user's scope: each one
    computed once per warehouse version (`_target_progress`), whichever selection asks, so
    a filter change only computes the targets of projects not seen before."""
    # each target on its own project's data date (a 2019 programme is judged on 2019)
    return [
        _target_progress(version, target, day, scope, threshold, bands)
        for target, day in targets.due(cursor(version), None, projects)
    ]


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _target_progress(
    version: Version,
    target: targets.Target,
    day: dt.date,
    scope: tuple,
    threshold: int | None,
    bands: StatusBands,
) -> targets.Progress:
    return targets.progress_of(cursor(version), target, day, bands, _thaw(scope), threshold)


@st.cache_data(max_entries=128, ttl=3600, show_spinner=False)
def cumulative(
    version: Version, target: targets.Target, scope: tuple, threshold: int | None
) -> list[dict]:
    """A count target's running actual by month beside its path."""
    con = cursor(version)
    on = targets.project_data_dates(con).get(target.project_code) or targets.data_date(con)
    return [] if on is None else targets.cumulative(con, target, on, _thaw(scope), threshold)


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def table(version: Version, name: str) -> pl.DataFrame:
    """A small reference or bookkeeping table from `sql/dashboard/<name>.sql`, read once per
    warehouse version (every rerun's sidebar asks for five of them)."""
    return cursor(version).sql(load_sql(f"queries/{name}")).pl()


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def submissions(version: Version) -> list[dict]:
    """Every submission kept in the warehouse (werkpad.submissions), newest first."""
    return werkpad_submissions.submissions(cursor(version))


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def vintages(version: Version, submission_id: str) -> list[dict]:
    """Per project of a submission: the extract it was read from then, and now."""
    con = cursor(version)
    record = werkpad_submissions.submission(con, submission_id)
    return [] if record is None else werkpad_submissions.vintages(con, record)


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def pack_intact(version: Version, submission_id: str) -> bool:
    """Whether a submission's kept ZIP still has the SHA-256 recorded at submission."""
    try:
        return werkpad_submissions.pack_bytes(cursor(version), submission_id) is not None
    except werkpad_submissions.PackAltered:
        return False


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def revisions(version: Version, submission_id: str, suppressed: bool = True) -> list[dict]:
    """A submission's figures beside the same selection on the data `version` reads,
    suppressed for a scoped reader."""
    con = cursor(version)
    record = werkpad_submissions.submission(con, submission_id)
    return [] if record is None else werkpad_submissions.revisions(con, record, suppressed)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def history_kept(version: Version) -> bool:
    """Whether the warehouse keeps history yet (one from before does after its next load)."""
    return has_table(cursor(version), "ops", "snapshot_history")


def extract_dates(version: Version, projects: tuple[str, ...] | None = None) -> list[dt.date]:
    """The extract dates the warehouse keeps a snapshot of, newest first, of these projects
    (None: all). A project lead is offered her projects' dates only: the others' told her
    when projects outside her scope delivered (found in review)."""
    dates = table(version, "extract_dates")
    if projects is not None:
        dates = dates.filter(pl.col("project_code").is_in(projects))
    return dates["extract_date"].unique(maintain_order=True).to_list()


TRIANGLE_MONTHS = 12  # extract months a revision triangle shows, the newest (a vintage each)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def triangle(version: Version, filters: tuple, metric: str, threshold: int | None) -> pl.DataFrame:
    """A revision triangle: the metric per quarter of first contact (rows) as each of the
    newest extract months told it (columns: the data as of that month's newest extract),
    suppressed like any table. A late registration shows as a number that grows along a row."""
    chosen = targets.selected_projects(table(version, "projects"), _thaw(filters))
    dates = extract_dates(version, chosen)  # newest first, of the selection's projects only
    newest_in_month: dict[dt.date, dt.date] = {}
    for day in dates:
        newest_in_month.setdefault(day.replace(day=1), day)
    months = sorted(newest_in_month)[-TRIANGLE_MONTHS:]
    frame: pl.DataFrame | None = None
    for month in months:
        told = grouped(
            as_of(version, newest_in_month[month]), filters, ("reached_quarter",), (metric,),
            threshold,
        ).rename({metric: month.isoformat()})  # fmt: skip
        # a month whose selection is empty has an untyped (Null) frame, which no join takes
        told = told.cast({"reached_quarter": pl.Date, month.isoformat(): pl.Int64})
        frame = told if frame is None else frame.join(told, on="reached_quarter", how="full",
                                                      coalesce=True)  # fmt: skip
    if frame is None:
        return pl.DataFrame(schema={"reached_quarter": pl.Date})
    return frame.sort("reached_quarter")
