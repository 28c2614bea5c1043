"""The nightly load: every entry of the inbox gets a status, good files are loaded, bad ones
quarantined with a report.

Temporary and hidden names are skipped and links refused before anything is read; each file
is then checked by pipelines.check and its verdict written to the bookkeeping
(pipelines.ledger). All of it happens in a working copy of the warehouse that is
swapped in at the end (see werkpad.warehouse), so a crash at any moment leaves the last good
state live, and a failure of the run itself (LoadFailure) publishes nothing.
"""

from __future__ import annotations

import datetime as dt
import errno
import fnmatch
import hashlib
import logging
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines import ledger, reference
from pipelines import warehouse as wh
from pipelines.check import Clock, Night, check_file
from pipelines.findings import FileResult, Finding, RunResult
from pipelines.macros import install_macros
from pipelines.quarantine import move_to_quarantine, planned_report, write_report
from werkpad import config
from werkpad.contract import Contract, FileName, contract_for, default_contract
from werkpad.site import current_site
from werkpad.warehouse import OFFLINE

__all__ = ["FileResult", "LoadFailure", "RunResult", "run_load"]

log = logging.getLogger(__name__)


def inbox_files(inbox: Path) -> list[Path]:
    """Every entry of the inbox, links and hidden names included: each one gets a status."""
    return sorted(inbox.iterdir())


def is_temporary(name: str) -> bool:
    """A name an upload or an editor uses while a file is unfinished (config.TEMPORARY_NAMES)."""
    lower = name.lower()  # WinSCP writes .filepart, Windows tools .TMP: case never matters
    return any(fnmatch.fnmatchcase(lower, pattern) for pattern in config.TEMPORARY_NAMES)


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
            run_id = f"{dt.datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
            run = _Run(Night(contract, Path(tmp), run_id, accept_drop), on_file)
            results = run.into(copy, inbox, quarantine)
            wh.compact(copy)
            run.clock.lap("compact")
            wh.publish(copy, warehouse)
            run.clock.lap("publish")
            copy = None  # published: from here on the live warehouse is the new one
            for result in results:
                if result.status == "refused" and result.source is not None:
                    _quarantine(result, result.source, Path(tmp) / result.sha256 / "docs")
                elif result.status == "refused":  # a site's reference file stays in place
                    docs = Path(tmp) / "reference" / result.file.split(".")[0]
                    write_report(result, docs, reference=True)
            return RunResult(run.run_id, results)
    except Exception as exc:
        if copy is not None:
            wh.remove_copy(copy)
        raise LoadFailure(failure_cause(exc, warehouse)) from exc


def _quarantine(result: FileResult, source: Path, docs: Path) -> None:
    """Move a refused file to quarantine; if that fails it stays in the inbox, is refused again
    next night, and the data steward reads why in the log."""
    try:
        move_to_quarantine(source, result, docs)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__  # the system's words, never a file's content
        log.error("%s: could not be moved to quarantine (%s)", result.file, why)


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
    if isinstance(exc, wh.NotAWarehouse) or (
        isinstance(exc, duckdb.Error) and "not a valid DuckDB database" in text
    ):
        return f"{warehouse} is not a DuckDB warehouse file"
    return (
        f"an internal error stopped the run ({type(exc).__name__}); nothing was published; "
        "run `werkpad -v load` for the details"
    )


@dataclass
class _Run:
    """One run of the load inside the working copy; `into` returns what each file became."""

    night: Night
    on_file: Callable[[FileResult], None] | None
    clock: Clock = field(default_factory=lambda: Clock("run"))

    @property
    def run_id(self) -> str:
        return self.night.run_id

    @property
    def contract(self) -> Contract:
        return self.night.contract

    def into(self, copy: Path, inbox: Path, quarantine: Path) -> list[FileResult]:
        started = dt.datetime.now()
        con = duckdb.connect(config=OFFLINE)
        con.execute("SET enable_progress_bar = false")  # our own progress and logs only
        try:
            con.execute("ATTACH ? AS wh", [str(copy)])
            con.execute("USE wh")
            wh.init_schema(con, self.contract)
            con.execute("USE memory")
            install_macros(con, self.contract)
            wh.refresh_age_groups(con, self.contract, schema="main")
            results, usable = self._reference(con, started)
            entries = inbox_files(inbox) if usable else []
            results += [self._record(con, _skipped(p), started) for p in entries if _skip(p)]
            links = [p for p in entries if p.is_symlink() and not _skip(p)]
            hashes = {p: sha256_of(p) for p in entries if not (_skip(p) or p in links)}
            results += [self._record(con, _symlink(p), started) for p in links]
            results += _process(con, hashes, self)
            for result in results:
                if result.status == "refused":
                    result.report = planned_report(quarantine, result)
                    ledger.record_report(con, self.run_id, result)
            self.clock.lap("files")
            con.execute("USE wh")
            if usable:  # with no reference ever accepted there is nothing to model yet
                wh.build_models(con)
            self.clock.lap("models")
            ledger.record_run(con, self.run_id, started, inbox, results)
            con.execute("USE memory")
            con.execute("DETACH wh")
            self.clock.lap("checkpoint")
        finally:
            con.close()
        return results

    def _reference(self, con, started: dt.datetime) -> tuple[list[FileResult], bool]:
        """Check the site's reference files first: accepted, they are the reference of this
        run and the warehouse's from now on; refused, the last accepted stays live and the
        extracts are checked against it. False when there is none to check them against
        (the extracts then wait in the inbox)."""
        refused, hashes = reference.check_site(con, current_site(), self.night.work / "reference")
        if not refused:
            reference.accept(con, self.run_id, hashes)
            return [], True
        results = [self._record(con, result, started) for result in refused]
        usable = reference.fall_back(con)
        if not usable:
            log.error("no accepted reference yet: the extracts wait until the site's is right")
        return results, usable

    def _record(self, con, result: FileResult, started: dt.datetime) -> FileResult:
        ledger.record_file(con, self.run_id, result, started)
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


def _contract_for(name: str, trajectories: Contract) -> tuple[Contract, FileName] | None:
    """The contract a file's name asks for; the trajectories one is the run's own (a test
    may run the load with another)."""
    parsed = trajectories.parse_file_name(name)
    if parsed is not None:
        return trajectories, parsed
    found = contract_for(name)
    return found if found is None or found[0].name != trajectories.name else None


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


def _process(con, hashes: dict[Path, str], run: _Run) -> list[FileResult]:
    """Per project its trajectories before its placements (checked against them), and of one
    kind the newest file first, so an older one in the same inbox is superseded."""
    named = [(p, _contract_for(p.name, run.contract)) for p in hashes]
    order = sorted(
        named,
        key=lambda item: (
            item[1] is None,
            item[1] and item[1][1].project_code,
            item[1] and item[1][0] is not run.contract,  # trajectories first
            item[1] and -item[1][1].extract_date.toordinal(),
        ),
    )
    results = []
    for path, found in order:
        started = dt.datetime.now()
        result = check_file(con, path, hashes[path], found, run.night)
        results.append(run._record(con, result, started))
    return results
