"""The load's bookkeeping in the warehouse: the ledger of file hashes, the run log and the live
snapshot of each project. The SQL is in `sql/ops/` (ledger_*, run_*, snapshot_*), with named
parameters and explicit column lists; this module only binds values to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import duckdb

from pipelines.findings import FileResult
from pipelines.sql import load_sql
from werkpad.contract import FileName

STATUSES = ("loaded", "unchanged", "superseded", "refused", "skipped")


def seen_hashes(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Hashes of files loaded (or kept out as unchanged or superseded) before."""
    return {sha for (sha,) in con.execute(load_sql("ops/ledger_seen")).fetchall()}


def status_of(con: duckdb.DuckDBPyConnection, sha256: str) -> str | None:
    """The last verdict on a file with these bytes, or None if never seen."""
    row = con.execute(load_sql("ops/ledger_status"), {"sha256": sha256}).fetchone()
    return row[0] if row else None


def live_snapshot(
    con: duckdb.DuckDBPyConnection, names: dict[str, str], project_code: str
) -> tuple[dt.date, int] | None:
    """The live snapshot's extract date and row count of a project, if it has one, in one
    contract's bookkeeping (`names`: pipelines.warehouse.dataset_names)."""
    sql = load_sql("ops/snapshot_live").format(**names)
    row = con.execute(sql, {"project_code": project_code}).fetchone()
    return (row[0], row[1]) if row else None


def record_verdict(con: duckdb.DuckDBPyConnection, run_id: str, result: FileResult) -> None:
    """What became of a file's bytes, so the next night knows them."""
    con.execute(
        load_sql("ops/ledger_record"),
        {
            "sha256": result.sha256,
            "file_name": result.file,
            "project_code": result.project_code,
            "extract_date": result.extract_date,
            "status": result.status,
            "run_id": run_id,
        },
    )


def record_file(
    con: duckdb.DuckDBPyConnection, run_id: str, result: FileResult, started: dt.datetime
) -> None:
    """One line of the run log."""
    con.execute(
        load_sql("ops/run_file_record"),
        {
            "run_id": run_id,
            "file_name": result.file,
            "sha256": result.sha256 or None,
            "project_code": result.project_code,
            "extract_date": result.extract_date,
            "status": result.status,
            "rows": result.rows,
            "reasons": [f.summary() for f in result.findings],
            "started_at": started,
        },
    )


def record_report(con: duckdb.DuckDBPyConnection, run_id: str, result: FileResult) -> None:
    """Where a refused file's report will be written."""
    con.execute(
        load_sql("ops/run_file_report"),
        {"report_path": str(result.report), "run_id": run_id, "file_name": result.file},
    )


def record_snapshot(
    con: duckdb.DuckDBPyConnection,
    names: dict[str, str],
    run_id: str,
    name: FileName,
    file_name: str,
    sha256: str,
    rows: int,
    loaded_at: dt.datetime,
) -> None:
    """The file now live for its project (inside the loader's snapshot transaction)."""
    con.execute(
        load_sql("ops/snapshot_record").format(**names),
        {
            "project_code": name.project_code,
            "extract_date": name.extract_date,
            "file_name": file_name,
            "sha256": sha256,
            "rows": rows,
            "loaded_at": loaded_at,
            "run_id": run_id,
        },
    )


def record_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    started: dt.datetime,
    inbox: Path,
    results: Sequence[FileResult],
) -> None:
    """The run's own row: when, which inbox, and how many files ended in each status."""
    counts = {s: sum(r.status == s for r in results) for s in STATUSES if s != "skipped"}
    con.execute(
        load_sql("ops/run_record"),
        {"run_id": run_id, "started_at": started, "inbox": str(inbox), "files": len(results)}
        | counts,
    )
