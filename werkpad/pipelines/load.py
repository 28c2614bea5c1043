"""The nightly load: every file in the inbox checked, the good ones loaded, the bad quarantined.

Per file: content hash against the ledger (seen before: `unchanged`), file name rule, older than
the live snapshot (`superseded`), read, privacy guard, contract suite in GX, then the project's
snapshot replaced in one transaction (`loaded`) or the file refused with a report (`refused`).
All of it happens in a working copy of the warehouse that is swapped in at the end (see
werkpad.warehouse), so a crash at any moment leaves the last good state live.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from werkpad import warehouse as wh
from werkpad.contract import Contract, FileName, default_contract
from werkpad.pipelines import report
from werkpad.pipelines.findings import Finding, RefusedFile
from werkpad.pipelines.macros import install_macros
from werkpad.pipelines.privacy import check_privacy
from werkpad.pipelines.reader import read_extract
from werkpad.pipelines.suite import build_checks, plain_sql, typed_select
from werkpad.pipelines.validate import preload_gx, run_suite
from werkpad.sql import load_sql

log = logging.getLogger(__name__)
EXTENSIONS = (".csv", ".xlsx")


@dataclass
class FileResult:
    """What happened to one file; `as_json` is the shape `werkpad load --json` prints."""

    file: str
    status: str
    project_code: str | None = None
    extract_date: dt.date | None = None
    rows: int | None = None
    findings: list[Finding] = field(default_factory=list)
    sha256: str = ""
    report: Path | None = None
    source: Path | None = None

    def as_json(self) -> dict:
        return {
            "file": self.file,
            "project_code": self.project_code,
            "status": self.status,
            "rows": self.rows,
            "reasons": [f.summary() for f in self.findings],
            "report": str(self.report) if self.report else None,
        }


@dataclass
class RunResult:
    run_id: str
    files: list[FileResult]

    @property
    def refused(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "refused"]


def inbox_files(inbox: Path) -> list[Path]:
    """Every visible regular file in the inbox; anything not .csv/.xlsx is refused by name."""
    return sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith("."))


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def run_load(
    inbox: Path,
    warehouse: Path,
    quarantine: Path,
    contract: Contract | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> RunResult:
    """Load the inbox into the warehouse; returns what happened to each file."""
    contract = contract or default_contract()
    files = inbox_files(inbox)
    run_id = f"{dt.datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    started = dt.datetime.now()
    with wh.writer_lock(warehouse), tempfile.TemporaryDirectory(prefix="werkpad-") as tmp:
        copy = wh.start_copy(warehouse)
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")  # our own progress and logs only
        try:
            con.execute(f"ATTACH '{copy}' AS wh")
            con.execute("USE wh")
            wh.init_schema(con, contract)
            con.execute("USE memory")
            install_macros(con, contract)
            wh.refresh_reference(con, contract, schema="main")
            hashes = {path: sha256_of(path) for path in files}
            if _needs_validation(con, hashes):
                preload_gx()  # seconds of imports, hidden behind reading the first file
            clock = _Clock("run")
            results = _process(con, hashes, contract, Path(tmp), run_id, on_file)
            for result in results:
                if result.status == "refused":
                    result.report = report.planned_report(quarantine, result)
                    con.execute(
                        "UPDATE wh.ops.run_files SET report_path = ? "
                        "WHERE run_id = ? AND sha256 = ?",
                        [str(result.report), run_id, result.sha256],
                    )
            clock.lap("files")
            con.execute("USE wh")
            wh.build_models(con)
            clock.lap("models")
            _record_run(con, run_id, started, inbox, results)
            con.execute("USE memory")
            con.execute("DETACH wh")
            clock.lap("checkpoint")
        finally:
            con.close()
        wh.publish(copy, warehouse)
        clock.lap("publish")
        for result in results:
            if result.status == "refused":
                report.quarantine(result.source, result, Path(tmp) / result.sha256 / "docs")
    return RunResult(run_id, results)


def _needs_validation(con, hashes: dict[Path, str]) -> bool:
    """True when some CSV or XLSX file has not been loaded before (GX will be needed)."""
    seen = {
        s
        for (s,) in con.execute(
            "SELECT sha256 FROM wh.ops.file_ledger WHERE status <> 'refused'"
        ).fetchall()
    }
    return any(p.suffix.lower() in EXTENSIONS and h not in seen for p, h in hashes.items())


def _process(con, hashes, contract, tmp, run_id, on_file) -> list[FileResult]:
    """Newest file first per project, so an older one in the same inbox is superseded."""
    named = [(p, contract.parse_file_name(p.name)) for p in hashes]
    order = sorted(
        named,
        key=lambda item: (
            item[1] is None,
            item[1] and item[1].project_code,
            item[1] and -item[1].extract_date.toordinal(),
        ),
    )
    results = []
    for path, name in order:
        started = dt.datetime.now()
        result = _one_file(con, path, hashes[path], name, contract, tmp, run_id)
        _record_file(con, run_id, result, started)
        log.info(
            "%s: %s (%s rows)%s",
            result.file,
            result.status,
            result.rows,
            "".join(f"\n  - {f.summary()}" for f in result.findings),
        )
        if on_file:
            on_file(result)
        results.append(result)
    return results


def _one_file(
    con, path: Path, sha: str, name: FileName | None, contract: Contract, tmp: Path, run_id: str
) -> FileResult:
    label = report.safe_file_label(path.name, sha, contract)
    result = FileResult(label, "refused", sha256=sha, source=path)
    if name:
        result.project_code, result.extract_date = name.project_code, name.extract_date
    seen = con.execute("SELECT status FROM wh.ops.file_ledger WHERE sha256 = ?", [sha]).fetchone()
    if seen and seen[0] != "refused":
        result.status = "unchanged"
        return result
    try:
        name = _check_name(path, name, contract)
        live = con.execute(
            "SELECT extract_date FROM wh.ops.snapshots WHERE project_code = ?", [name.project_code]
        ).fetchone()
        if live and live[0] > name.extract_date:
            result.status = "superseded"
        else:
            result.rows = _validate(con, path, name, contract, tmp / sha)
            _replace_snapshot(con, contract, path.name, sha, name, result.rows, run_id)
            result.status = "loaded"
    except RefusedFile as refused:
        result.findings = refused.findings
    finally:
        con.execute(f"DROP TABLE IF EXISTS {VALIDATED}")
    _ledger(con, result, path.name)
    return result


def _check_name(path: Path, name: FileName | None, contract: Contract) -> FileName:
    if name is None or name.project_code not in contract.reference_keys("projects"):
        raise RefusedFile(
            [
                Finding(
                    "file.name",
                    "the file name is <project_code>_<YYYYMMDD>.csv or .xlsx with a known "
                    "project code (for example WGTW-LIM_20231231.csv)",
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
    clock = _Clock(path.name)
    columns = read_extract(con, path, contract, work)
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
    checks = build_checks(contract, columns, name)
    outcome = run_suite(
        con, VALIDATED, checks, f"{contract.name}-{name.project_code}", work / "docs"
    )
    clock.lap(f"GX suite ({len(checks)} checks)")
    if outcome.failed:
        raise RefusedFile(
            [_finding(con, check, outcome) for check in checks if check.rule in outcome.failed]
        )
    return con.execute(f"SELECT count(*) FROM {VALIDATED}").fetchone()[0]


class _Clock:
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
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(load_sql("raw/delete_snapshot"), {"project_code": name.project_code})
        con.execute(load_sql("raw/insert_snapshot").format(columns=columns), params)
        con.execute(
            "INSERT OR REPLACE INTO wh.ops.snapshots VALUES (?, ?, ?, ?, ?, ?, ?)",
            [name.project_code, name.extract_date, file_name, sha, rows, now, run_id],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _ledger(con, result: FileResult, file_name: str) -> None:
    con.execute(
        "INSERT OR REPLACE INTO wh.ops.file_ledger VALUES (?, ?, ?, ?, ?, NULL, now())",
        [result.sha256, result.file, result.project_code, result.extract_date, result.status],
    )


def _record_file(con, run_id: str, result: FileResult, started: dt.datetime) -> None:
    con.execute(
        "INSERT INTO wh.ops.run_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, now())",
        [
            run_id,
            result.file,
            result.sha256,
            result.project_code,
            result.extract_date,
            result.status,
            result.rows,
            [f.summary() for f in result.findings],
            started,
        ],
    )


def _record_run(con, run_id: str, started: dt.datetime, inbox: Path, results) -> None:
    count = {
        s: sum(r.status == s for r in results)
        for s in ("loaded", "unchanged", "superseded", "refused")
    }
    con.execute(
        "INSERT INTO ops.runs VALUES (?, ?, now(), ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            started,
            str(inbox),
            len(results),
            count["loaded"],
            count["unchanged"],
            count["superseded"],
            count["refused"],
        ],
    )
