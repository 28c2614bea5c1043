"""The nightly load: every file in the inbox checked, the good ones loaded, the bad quarantined.

Per file: content hash against the ledger (seen before: `unchanged`), file name rule, older than
the live snapshot (`superseded`), read, privacy guard, contract suite in GX, then the project's
snapshot replaced in one transaction (`loaded`) or the file refused with a report (`refused`).
All of it happens in a working copy of the warehouse that is swapped in at the end (see
werkpad.warehouse), so a crash at any moment leaves the last good state live.
"""

from __future__ import annotations

import datetime as dt
import errno
import fnmatch
import hashlib
import logging
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from werkpad import config
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
    """Every entry of the inbox, links and hidden names included: each one gets a status."""
    return sorted(inbox.iterdir())


def is_temporary(name: str) -> bool:
    """A name an upload or an editor uses while a file is unfinished (config.TEMPORARY_NAMES)."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in config.TEMPORARY_NAMES)


class LoadFailure(Exception):
    """The run could not go on (the machine, not a file): nothing was published.

    Its text is one line for a cron mail, composed here: it never carries an exception's own
    message, which may quote a file.
    """


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def run_load(
    inbox: Path,
    warehouse: Path,
    quarantine: Path,
    contract: Contract | None = None,
    on_file: Callable[[FileResult], None] | None = None,
    accept_drop: frozenset[str] = frozenset(),
) -> RunResult:
    """Load the inbox into the warehouse; returns what happened to each file.

    `accept_drop`: projects whose new snapshot may shrink beyond config.MAX_ROW_DROP.
    Raises LoadFailure when the run itself cannot go on; the working copy is then removed and
    the live warehouse is untouched.
    """
    contract = contract or default_contract()
    copy: Path | None = None
    try:
        with wh.writer_lock(warehouse), tempfile.TemporaryDirectory(prefix="werkpad-") as tmp:
            copy = wh.start_copy(warehouse)
            run = _Run(contract, Path(tmp), accept_drop, on_file)
            results = run.into(copy, inbox, quarantine)
            wh.publish(copy, warehouse)
            run.clock.lap("publish")
            copy = None  # published: from here on the live warehouse is the new one
            for result in results:
                if result.status == "refused" and result.source is not None:
                    _quarantine(result, Path(tmp) / result.sha256 / "docs")
            return RunResult(run.run_id, results)
    except Exception as exc:
        if copy is not None:
            wh.remove_copy(copy)
        raise LoadFailure(failure_cause(exc, warehouse)) from exc


def _quarantine(result: FileResult, docs: Path) -> None:
    """Move a refused file to quarantine; if that fails it stays in the inbox, is refused again
    next night, and the data steward reads why in the log."""
    try:
        report.quarantine(result.source, result, docs)
    except OSError as exc:
        log.error(
            "%s: could not be moved to quarantine (%s)", result.file, failure_cause(exc, docs)
        )


def failure_cause(exc: BaseException, warehouse: Path) -> str:
    """One line naming what stopped the run, for the data steward's cron mail."""
    text = str(exc)
    if getattr(exc, "errno", None) == errno.ENOSPC or "No space left" in text:
        return f"the disk is full (no space left on device) near {warehouse.parent}"
    if (
        isinstance(exc, PermissionError)
        or getattr(exc, "errno", None)
        in (
            errno.EACCES,
            errno.EPERM,
            errno.EROFS,
        )
        or "Permission denied" in text
        or "Read-only file system" in text
    ):
        return f"no permission to write the warehouse or its folder {warehouse.parent}"
    if isinstance(exc, duckdb.Error) and "not a valid DuckDB database" in text:
        return f"{warehouse} is not a DuckDB warehouse file"
    return (
        f"an internal error stopped the run ({type(exc).__name__}); nothing was published; "
        "run `werkpad -v load` for the details"
    )


@dataclass
class _Run:
    """One run of the load inside the working copy; `into` returns what each file became."""

    contract: Contract
    tmp: Path
    accept_drop: frozenset[str]
    on_file: Callable[[FileResult], None] | None
    run_id: str = field(
        default_factory=lambda: f"{dt.datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    )
    clock: _Clock = field(default_factory=lambda: _Clock("run"))

    def into(self, copy: Path, inbox: Path, quarantine: Path) -> list[FileResult]:
        started = dt.datetime.now()
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")  # our own progress and logs only
        try:
            con.execute("ATTACH ? AS wh", [str(copy)])
            con.execute("USE wh")
            wh.init_schema(con, self.contract)
            con.execute("USE memory")
            install_macros(con, self.contract)
            wh.refresh_reference(con, self.contract, schema="main")
            entries = inbox_files(inbox)
            results = [self._record(con, _skipped(p), started) for p in entries if _skip(p)]
            links = [p for p in entries if p.is_symlink() and not _skip(p)]
            hashes = {p: sha256_of(p) for p in entries if not (_skip(p) or p in links)}
            results += [self._record(con, _symlink(p), started) for p in links]
            if _needs_validation(con, hashes):
                preload_gx()  # seconds of imports, hidden behind reading the first file
            results += _process(con, hashes, self)
            for result in results:
                if result.status == "refused":
                    result.report = report.planned_report(quarantine, result)
                    con.execute(
                        "UPDATE wh.ops.run_files SET report_path = ? "
                        "WHERE run_id = ? AND file_name = ?",
                        [str(result.report), self.run_id, result.file],
                    )
            self.clock.lap("files")
            con.execute("USE wh")
            wh.build_models(con)
            self.clock.lap("models")
            _record_run(con, self.run_id, started, inbox, results)
            con.execute("USE memory")
            con.execute("DETACH wh")
            self.clock.lap("checkpoint")
        finally:
            con.close()
        return results

    def _record(self, con, result: FileResult, started: dt.datetime) -> FileResult:
        _record_file(con, self.run_id, result, started)
        log.info(
            "%s: %s%s%s",
            result.file,
            result.status,
            f" ({result.rows} rows)" if result.rows is not None else "",
            "".join(f"\n  - {f.summary()}" for f in result.findings),
        )
        if self.on_file:
            self.on_file(result)
        return result


def _skip(path: Path) -> bool:
    """Not ours to read: a temporary or hidden name, a folder, a pipe or a device."""
    return is_temporary(path.name) or not (path.is_symlink() or path.is_file())


def _name_label(path: Path) -> str:
    """A label for an entry that is not read: its name's hash, never the name itself."""
    return f"name-withheld-{hashlib.sha256(path.name.encode()).hexdigest()[:12]}"


def _skipped(path: Path) -> FileResult:
    finding = Finding(
        "file.temporary_name",
        "skipped, not read: a temporary or hidden name (.part, .tmp, ~$, a leading dot), a "
        "folder or a special file; upload under a temporary name, then rename to "
        "<project_code>_<YYYYMMDD>.csv",
    )
    return FileResult(_name_label(path), "skipped", findings=[finding])


def _symlink(path: Path) -> FileResult:
    finding = Finding(
        "file.symlink",
        "a symbolic link, not a file: werkpad never follows links out of the inbox; put the "
        "file itself in the inbox",
    )
    sha = hashlib.sha256(f"symlink\0{path.name}".encode()).hexdigest()
    return FileResult(_name_label(path), "refused", sha256=sha, findings=[finding], source=path)


def _needs_validation(con, hashes: dict[Path, str]) -> bool:
    """True when some CSV or XLSX file has not been loaded before (GX will be needed)."""
    seen = {
        s
        for (s,) in con.execute(
            "SELECT sha256 FROM wh.ops.file_ledger WHERE status <> 'refused'"
        ).fetchall()
    }
    return any(p.suffix.lower() in EXTENSIONS and h not in seen for p, h in hashes.items())


def _process(con, hashes: dict[Path, str], run: _Run) -> list[FileResult]:
    """Newest file first per project, so an older one in the same inbox is superseded."""
    named = [(p, run.contract.parse_file_name(p.name)) for p in hashes]
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
        result = _one_file(con, path, hashes[path], name, run)
        results.append(run._record(con, result, started))
    return results


def _one_file(con, path: Path, sha: str, name: FileName | None, run: _Run) -> FileResult:
    """Check one file and load it; a file's own unexpected error refuses only that file."""
    contract = run.contract
    label = report.safe_file_label(path.name, sha, contract) if name else _hash_label(sha)
    result = FileResult(label, "refused", sha256=sha, source=path)
    if name:
        result.project_code, result.extract_date = name.project_code, name.extract_date
    try:
        name = _check_name(name, contract)
        seen = con.execute(
            "SELECT status FROM wh.ops.file_ledger WHERE sha256 = ?", [sha]
        ).fetchone()
        if seen and seen[0] != "refused":
            result.status = "unchanged"
            result.source = None
            return result
        live = con.execute(
            "SELECT extract_date, rows FROM wh.ops.snapshots WHERE project_code = ?",
            [name.project_code],
        ).fetchone()
        if live and live[0] > name.extract_date:
            result.status = "superseded"
            result.source = None
        else:
            result.rows = _validate(con, path, name, contract, run.tmp / sha)
            if live and name.project_code not in run.accept_drop:
                _check_row_drop(live[1], result.rows, name.project_code)
            _replace_snapshot(con, contract, label, sha, name, result.rows, run.run_id)
            result.status = "loaded"
            result.source = None
    except RefusedFile as refused:
        result.findings = refused.findings
    except Exception as exc:
        if _is_environment(exc):
            raise
        log.debug("%s: unexpected error", label, exc_info=True)
        result.findings = [_internal_error(exc)]
    finally:
        con.execute(f"DROP TABLE IF EXISTS {VALIDATED}")
    _ledger(con, result, run.run_id)
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


def _check_name(name: FileName | None, contract: Contract) -> FileName:
    """The file-name rule, checked before anything is read or looked up by content."""
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


def _ledger(con, result: FileResult, run_id: str) -> None:
    con.execute(
        "INSERT OR REPLACE INTO wh.ops.file_ledger VALUES (?, ?, ?, ?, ?, ?, now())",
        [
            result.sha256,
            result.file,
            result.project_code,
            result.extract_date,
            result.status,
            run_id,
        ],
    )


def _record_file(con, run_id: str, result: FileResult, started: dt.datetime) -> None:
    con.execute(
        "INSERT INTO wh.ops.run_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, now())",
        [
            run_id,
            result.file,
            result.sha256 or None,
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
