"""One file of the nightly load: its name, its place among the project's snapshots, its
content (read, privacy guard, typed, the contract suite in GX) and, if all pass, the
project's snapshot replaced in one transaction.

Everything a file breaks is a RefusedFile with findings (rule, columns, rows, never a value).
An unexpected error in one file's check refuses that file only; a failure of the machine
(disk, permission) is raised for the run to stop.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines import ledger
from pipelines.findings import FileResult, Finding, RefusedFile
from pipelines.privacy import check_privacy
from pipelines.quarantine import safe_file_label
from pipelines.reader import read_extract
from pipelines.sql import load_sql
from pipelines.suite import build_checks, plain_sql, typed_select
from pipelines.validate import preload_gx, run_suite
from pipelines.warehouse import dataset_names, row_hash
from werkpad import config
from werkpad.contract import Contract, FileName

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Night:
    """What every file of one run shares: the contract, a private work folder, the run id
    and the projects whose snapshot may shrink (`werkpad load --accept-drop`)."""

    contract: Contract
    work: Path
    run_id: str
    accept_drop: frozenset[str]


def check_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    sha: str,
    named: tuple[Contract, FileName] | None,
    night: Night,
) -> FileResult:
    """Check one file against the contract its name follows (werkpad.contract.contract_for:
    trajectories or placements) and load it; a file's own unexpected error refuses only
    that file."""
    contract, name = named if named else (night.contract, None)
    names = dataset_names(contract)
    known = name is not None and name.project_code in _projects(con)
    # a name that breaks the rule (an unknown project included: PEETERS_20240201.csv) is
    # known by its content hash only
    label = safe_file_label(path.name, sha, contract) if known else _hash_label(sha)
    result = FileResult(label, "refused", sha256=sha, source=path)
    if known and name is not None:
        result.project_code, result.extract_date = name.project_code, name.extract_date
    try:
        name = _check_name(name, _projects(con))
        if ledger.status_of(con, sha) not in (None, "refused"):
            result.status = "unchanged"
            return result
        live = ledger.live_snapshot(con, names, name.project_code)
        if live and live[0] > name.extract_date:
            result.status = "superseded"
        else:
            result.rows = _validate(con, path, name, contract, night.work / sha)
            if live and name.project_code not in night.accept_drop:
                _check_row_drop(live[1], result.rows, name.project_code)
            _replace_snapshot(con, contract, label, sha, name, result.rows, night.run_id)
            result.status = "loaded"
    except RefusedFile as refused:
        result.findings = refused.findings
    except Exception as exc:
        if _is_environment(exc):
            raise
        log.debug("%s: unexpected error", label, exc_info=True)
        result.findings = [_internal_error(exc)]
    finally:
        con.execute(f"DROP TABLE IF EXISTS {VALIDATED}")
    ledger.record_verdict(con, night.run_id, result)
    return result


def _hash_label(sha: str) -> str:
    """A file whose name breaks the rule is known by its content hash only: a free-form name
    (`Jan Peeters lijst.csv`) may name a person."""
    return f"file-withheld-{sha[:12]}"


def _is_environment(exc: Exception) -> bool:
    """The machine failed, not the file: the whole run stops (disk full, no permission)."""
    return isinstance(exc, OSError | duckdb.IOException | duckdb.PermissionException)


def _internal_error(exc: Exception) -> Finding:
    return Finding(
        "file.internal_error",
        f"an unexpected error stopped the check of this file ({type(exc).__name__}); the other "
        "files were checked; the maintainers find the details with `werkpad -v load`",
    )


def _check_row_drop(live_rows: int, rows: int, project_code: str) -> None:
    """Refuse a snapshot that lost more than config.MAX_ROW_DROP of the live one's rows."""
    if rows >= live_rows * (1 - config.MAX_ROW_DROP):
        return
    share = 1 - rows / live_rows
    raise RefusedFile(
        [
            Finding(
                "row_drop",
                f"the file has {rows} rows, {share:.0%} fewer than the live snapshot's "
                f"{live_rows} (at most {config.MAX_ROW_DROP:.0%} fewer is taken without a "
                "word); a truncated or half-exported file? If the drop is right, load it with "
                f"`werkpad load --accept-drop {project_code}`",
                count=live_rows - rows,
            )
        ]
    )


def _projects(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The run's projects (its accepted reference, pipelines.reference) and their province."""
    return dict(con.execute(load_sql("ops/reference_projects")).fetchall())


def _check_name(name: FileName | None, projects: dict[str, str]) -> FileName:
    """The file-name rule, checked before anything is read or looked up by content."""
    if name is None or name.project_code not in projects:
        raise RefusedFile(
            [
                Finding(
                    "file.name",
                    "the file name is <project_code>_<YYYYMMDD>.csv or .xlsx (trajectories) "
                    "or <project_code>_placements_<YYYYMMDD>.csv or .xlsx, with a known "
                    "project code (for example WGTW-LIM_20231231.csv)",
                )
            ]
        )
    latest = dt.date.today() + dt.timedelta(days=config.FUTURE_EXTRACT_DAYS)
    if name.extract_date > latest:
        raise RefusedFile(
            [
                Finding(
                    "file.future_date",
                    f"the extract date {name.extract_date:%Y-%m-%d} in the file name is after "
                    f"today; such a file would supersede every real delivery until then",
                )
            ]
        )
    return name


VALIDATED = "validated"  # the typed file, in the loader's in-memory database


def _validate(con, path: Path, name: FileName, contract: Contract, work: Path) -> int:
    """Read, guard, type and validate; return the row count or raise RefusedFile.

    The file is typed once, into an in-memory table that GX validates through the same
    connection and the load then copies into the warehouse; nothing reaches disk before that.
    """
    work.mkdir(parents=True, exist_ok=True)
    clock = Clock(path.name)
    columns = read_extract(con, path, contract, work, before_parse=preload_gx)
    clock.lap("read")
    check_privacy(con, columns, contract)
    clock.lap("privacy guard")
    try:
        con.execute(
            f"CREATE TABLE {VALIDATED} AS SELECT {typed_select(contract, columns)} FROM extract"
        )
    finally:
        con.execute("DROP TABLE extract")
    clock.lap("typed")
    checks = build_checks(contract, columns, name, _projects(con)[name.project_code])
    outcome = run_suite(
        con, VALIDATED, checks, f"{contract.name}-{name.project_code}", work / "docs"
    )
    clock.lap(f"GX suite ({len(checks)} checks)")
    if outcome.failed:
        raise RefusedFile(
            [_finding(con, check, outcome) for check in checks if check.rule in outcome.failed]
        )
    return con.execute(f"SELECT count(*) FROM {VALIDATED}").fetchone()[0]


class Clock:
    """Debug timings of a file's phases (`werkpad -v load`), to see where a slow night goes."""

    def __init__(self, label: str):
        self.label, self.last = label, time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        log.debug("%s: %s %.2fs", self.label, phase, now - self.last)
        self.last = now


def _finding(con, check, outcome) -> Finding:
    """A failed check as a finding, with the first row numbers read from our own copy."""
    rows: tuple[int, ...] = ()
    if check.query and check.rule not in outcome.errors:
        sql = f"SELECT * FROM ({plain_sql(check.query, VALIDATED)}) ORDER BY 1 LIMIT 10"
        rows = tuple(r[0] for r in con.execute(sql).fetchall())
    description = check.description + (
        f" ({outcome.errors[check.rule]})" if check.rule in outcome.errors else ""
    )
    return Finding(check.rule, description, outcome.failed[check.rule], rows, check.columns)


def _replace_snapshot(
    con, contract: Contract, file_name: str, sha: str, name: FileName, rows: int, run_id: str
) -> None:
    """Swap the project's rows for the validated file's, in one transaction."""
    present = set(con.table(VALIDATED).columns)
    columns = ", ".join(f'"{c}"' for c in contract.column_names if c in present)
    now = dt.datetime.now()
    params = {"file_name": file_name, "sha256": sha, "loaded_at": now}
    names = dataset_names(contract)
    con.execute("BEGIN TRANSACTION")
    try:
        delete = load_sql("raw/delete_snapshot").format(**names)
        con.execute(delete, {"project_code": name.project_code})
        con.execute(load_sql("raw/insert_snapshot").format(columns=columns, **names), params)
        ledger.record_snapshot(con, names, run_id, name, file_name, sha, rows, now)
        _record_versions(con, contract, name, file_name, sha, rows, now, run_id)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _record_versions(
    con,
    contract: Contract,
    name: FileName,
    file_name: str,
    sha: str,
    rows: int,
    loaded_at: dt.datetime,
    run_id: str,
) -> None:
    """Keep the snapshot in the history, as changes: versions the new snapshot no longer holds
    end with it, new or changed rows start a version, unchanged ones add nothing."""
    names = dataset_names(contract)
    found = con.execute(
        load_sql("ops/snapshot_history_record").format(**names),
        {
            "project_code": name.project_code,
            "extract_date": name.extract_date,
            "file_name": file_name,
            "sha256": sha,
            "rows": rows,
            "loaded_at": loaded_at,
            "run_id": run_id,
        },
    ).fetchone()
    params = {"project_code": name.project_code, "snapshot_id": found[0] if found else None}
    hashed = row_hash(contract, "live")
    con.execute(load_sql("raw/close_versions").format(row_hash=hashed, **names), params)
    con.execute(load_sql("raw/open_versions").format(row_hash=hashed, **names), params)
