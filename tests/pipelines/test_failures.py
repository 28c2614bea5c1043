"""When the machine fails, not a file: one line a cron job can act on, exit 4, nothing lost.

Real failures where this machine allows them (a small tmpfs that fills up, a read-only
mount: both need root, as CI has, and are skipped elsewhere); a bug inside the run by
breaking one step. In each case the live warehouse is byte-for-byte what it was and no
working copy is left behind.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from pipelines import warehouse as wh
from werkpad import cli


def _load(inbox: Path, warehouse: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "werkpad.cli", "load", "--inbox", str(inbox),
         "--warehouse", str(warehouse), "--quarantine", str(inbox.parent / "q")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def _assert_one_line(run: subprocess.CompletedProcess, cause: str) -> None:
    assert run.returncode == 4, run.stderr[-2000:]
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert lines == [lines[0]] and lines[0].startswith("werkpad load: "), run.stderr[-2000:]
    assert cause in lines[0]
    assert "Traceback" not in run.stdout + run.stderr


def _strays(warehouse: Path) -> list[Path]:
    return list(warehouse.parent.glob(warehouse.name + wh.LOADING_SUFFIX + "*"))


@contextlib.contextmanager
def _tmpfs(size: str):
    """A small tmpfs of its own, or a skip where this user cannot mount one."""
    point = Path("/tmp") / f"werkpad-tmpfs-{uuid.uuid4().hex[:8]}"
    point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)], capture_output=True
    )
    if mounted.returncode != 0:
        point.rmdir()
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)
        point.rmdir()


@pytest.fixture
def night(tmp_path, loaded) -> Path:
    """An inbox with one good new extract (a corrected export of a loaded project)."""
    from sample_data.generator import DEFAULT_EXTRACT_DATE, generate
    from tests.conftest import write_csv

    frame = generate(300, 11, DEFAULT_EXTRACT_DATE, ["WGTW-ANT"])["WGTW-ANT"]
    return write_csv(frame, tmp_path / "inbox").parent


def test_not_a_duckdb_file(tmp_path, night):
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_text("this is a spreadsheet, not a warehouse\n" * 200)
    before = warehouse.read_bytes()
    run = _load(night, warehouse)
    _assert_one_line(run, "is not a DuckDB warehouse file")
    assert warehouse.read_bytes() == before
    assert not _strays(warehouse)
    assert len(list(night.iterdir())) == 1  # the extract waits for a good night


def test_a_sqlite_file_is_not_a_warehouse_and_nothing_is_fetched(tmp_path, night):
    """DuckDB would recognise SQLite and try to download its scanner extension."""
    import sqlite3

    warehouse = tmp_path / "warehouse.duckdb"
    with sqlite3.connect(warehouse) as db:
        db.execute("CREATE TABLE t (x)")
    before = warehouse.read_bytes()
    run = _load(night, warehouse)
    _assert_one_line(run, "is not a DuckDB warehouse file")
    assert warehouse.read_bytes() == before and not _strays(warehouse)


def test_disk_full(loaded, night):
    live = loaded[0] / "warehouse.duckdb"
    size = live.stat().st_size
    with _tmpfs(f"{size + 256 * 1024}") as disk:  # room for the warehouse, not for its copy
        warehouse = disk / "warehouse.duckdb"
        shutil.copyfile(live, warehouse)
        before = warehouse.read_bytes()
        run = _load(night, warehouse)
        _assert_one_line(run, "the disk is full")
        assert warehouse.read_bytes() == before
        assert not _strays(warehouse)


def test_read_only_folder(loaded, night):
    with _tmpfs("64m") as disk:
        warehouse = disk / "warehouse.duckdb"
        shutil.copyfile(loaded[0] / "warehouse.duckdb", warehouse)
        before = warehouse.read_bytes()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        run = _load(night, warehouse)
        _assert_one_line(run, "no permission to write")
        assert warehouse.read_bytes() == before


def test_a_bug_in_the_run_is_one_line_and_nothing_published(fresh_copy, night, monkeypatch, capsys):
    def broken(con):
        raise KeyError("a cell value that must not be printed")

    monkeypatch.setattr(wh, "build_models", broken)
    before = fresh_copy.read_bytes()
    code = cli.main(["load", "--inbox", str(night), "--warehouse", str(fresh_copy)])
    err = capsys.readouterr().err
    assert code == 4
    assert "internal error stopped the run (KeyError)" in err and "nothing was published" in err
    assert "must not be printed" not in err and "Traceback" not in err
    assert fresh_copy.read_bytes() == before
    assert not _strays(fresh_copy)


def test_any_command_ends_in_one_line_not_a_traceback(monkeypatch, capsys):
    def broken(args):
        raise RuntimeError("boom")

    parser = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda: _with_func(parser(), "contract", broken))
    assert cli.main(["contract"]) == 4
    err = capsys.readouterr().err
    assert err.strip() == (
        "werkpad contract: stopped by an internal error (RuntimeError); run with -v for the details"
    )


def _with_func(parser, command, func):
    """The parser with one subcommand's function replaced (argparse keeps it in defaults)."""
    for action in parser._subparsers._group_actions:  # noqa: SLF001
        action.choices[command].set_defaults(func=func)
    return parser
