"""Deliveries that make sense: what a clumsy upload or a wrong export must never do silently.

A future extract date, a snapshot that shrank, a half-uploaded file, a link out of the inbox,
a badly named copy of a file loaded before: each is refused or skipped with a named rule, and
the live data stays what it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from pipelines import check as check_module
from pipelines.load import run_load
from sample_data.generator import generate
from tests.conftest import write_csv


def _live(warehouse) -> dict[str, tuple[dt.date, int]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            p: (d, n)
            for p, d, n in con.execute(
                "SELECT project_code, extract_date, rows FROM ops.snapshots"
            ).fetchall()
        }
    finally:
        con.close()


def _text_of(warehouse) -> str:
    """Everything the bookkeeping says about the files, as one string to search."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("SELECT * FROM ops.run_files").fetchall()
        rows += con.execute("SELECT * FROM ops.file_ledger").fetchall()
        rows += con.execute("SELECT * FROM ops.snapshots").fetchall()
    finally:
        con.close()
    return repr(rows)


def _extract(project: str, rows: int, seed: int, date: dt.date):
    return generate(rows, seed, date, [project])[project]


def test_an_extract_date_after_tomorrow_is_refused(tmp_path):
    today = dt.date.today()
    write_csv(_extract("WGTW-ANT", 120, 1, today + dt.timedelta(days=1)), tmp_path / "in")
    write_csv(_extract("WGTW-LIM", 120, 2, today + dt.timedelta(days=2)), tmp_path / "in")
    result = run_load(tmp_path / "in", tmp_path / "w.duckdb", tmp_path / "q")
    status = {f.project_code: (f.status, [x.rule for x in f.findings]) for f in result.files}
    assert status["WGTW-ANT"] == ("loaded", [])  # tomorrow: a time zone or a late export
    assert status["WGTW-LIM"] == ("refused", ["file.future_date"])
    assert set(_live(tmp_path / "w.duckdb")) == {"WGTW-ANT"}


def test_a_shrunken_snapshot_is_refused_unless_accepted(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    write_csv(_extract("WGTW-LIM", 600, 1, dt.date(2023, 6, 30)), tmp_path / "night1")
    run_load(tmp_path / "night1", warehouse, tmp_path / "q")
    live = _live(warehouse)["WGTW-LIM"]
    truncated = _extract("WGTW-LIM", 400, 2, dt.date(2023, 7, 31))  # a third fewer rows
    path = write_csv(truncated, tmp_path / "night2")
    refused = run_load(tmp_path / "night2", warehouse, tmp_path / "q").files[0]
    assert refused.status == "refused"
    assert [f.rule for f in refused.findings] == ["row_drop"]
    assert "--accept-drop WGTW-LIM" in refused.findings[0].description
    assert _live(warehouse)["WGTW-LIM"] == live  # the full snapshot stays live
    # the data steward checked: the drop is right, and says so on the command line
    (tmp_path / "night3").mkdir()
    shutil.copy(next((tmp_path / "q").glob(f"*-{path.name}")), tmp_path / "night3" / path.name)
    run = subprocess.run(
        [sys.executable, "-m", "werkpad.cli", "load", "--inbox", str(tmp_path / "night3"),
         "--warehouse", str(warehouse), "--accept-drop", "WGTW-LIM", "--json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert [f["status"] for f in json.loads(run.stdout)["files"]] == ["loaded"]
    assert _live(warehouse)["WGTW-LIM"] == (dt.date(2023, 7, 31), 400)


def test_a_small_shrink_loads(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    write_csv(_extract("WGTW-OVL", 500, 1, dt.date(2023, 6, 30)), tmp_path / "night1")
    run_load(tmp_path / "night1", warehouse, tmp_path / "q")
    write_csv(_extract("WGTW-OVL", 450, 2, dt.date(2023, 7, 31)), tmp_path / "night2")
    assert run_load(tmp_path / "night2", warehouse, tmp_path / "q").files[0].status == "loaded"


@pytest.mark.parametrize(
    "name",
    [
        "WGTW-ANT_20231231.csv.part",
        "WGTW-ANT_20231231.csv.tmp",
        "~$WGTW-ANT_20231231.xlsx",
        ".WGTW-ANT_20231231.csv",
        ".Jan Peeters.csv",
        "WGTW-ANT_20231231.csv.filepart",  # WinSCP
        "WGTW-ANT_20231231.csv.TMP",
        "WGTW-ANT_20231231.CSV.PART",
    ],
)
def test_temporary_and_hidden_names_are_skipped_and_reported(tmp_path, name):
    inbox = tmp_path / "in"
    source = write_csv(_extract("WGTW-ANT", 50, 1, dt.date(2023, 12, 31)), tmp_path / "src")
    inbox.mkdir()
    shutil.copy(source, inbox / name)
    (inbox / "a folder").mkdir()
    result = run_load(inbox, tmp_path / "w.duckdb", tmp_path / "q")
    assert [(f.status, f.findings[0].rule) for f in result.files] == [
        ("skipped", "file.temporary_name")
    ] * 2
    assert (inbox / name).read_bytes() == source.read_bytes()  # left alone, not moved
    assert _live(tmp_path / "w.duckdb") == {}
    said = _text_of(tmp_path / "w.duckdb") + repr([f.as_json() for f in result.files])
    assert name not in said and "Peeters" not in said


def test_a_symlink_is_refused_and_never_followed(tmp_path):
    inbox = tmp_path / "in"
    outside = write_csv(_extract("WGTW-ANT", 50, 1, dt.date(2023, 12, 31)), tmp_path / "outside")
    before = outside.read_bytes()
    inbox.mkdir()
    os.symlink(outside, inbox / outside.name)
    os.symlink("/etc/passwd", inbox / "WGTW-LIM_20231231.csv")
    result = run_load(inbox, tmp_path / "w.duckdb", tmp_path / "q")
    assert [(f.status, f.findings[0].rule) for f in result.files] == [
        ("refused", "file.symlink")
    ] * 2
    assert _live(tmp_path / "w.duckdb") == {}
    assert outside.read_bytes() == before  # the target is neither moved nor changed
    kept = [p for p in (tmp_path / "q").iterdir() if p.is_symlink()]
    assert len(kept) == 2  # the links themselves went to quarantine
    assert not list(inbox.iterdir())


def test_the_name_rule_comes_before_the_content_hash(tmp_path, caplog):
    inbox = tmp_path / "in"
    good = write_csv(_extract("WGTW-WVL", 80, 1, dt.date(2023, 12, 31)), inbox)
    run_load(inbox, tmp_path / "w.duckdb", tmp_path / "q")
    personal = inbox / "Jan Peeters lijst.csv"  # the same bytes, loaded before, badly named
    shutil.copy(good, inbox / "PEETERS_20240201.csv")  # the rule's shape, an unknown project
    shutil.copy(good, personal)
    good.unlink()
    with caplog.at_level("INFO"):
        result = run_load(inbox, tmp_path / "w.duckdb", tmp_path / "q")
    assert len(result.files) == 2
    for refused in result.files:
        assert refused.status == "refused"
        assert [f.rule for f in refused.findings] == ["file.name"]
        assert refused.file.startswith("file-withheld-")
    reports = "".join(p.read_text() for p in (tmp_path / "q").glob("*.report.*"))
    said = _text_of(tmp_path / "w.duckdb") + reports + caplog.text
    said += json.dumps([f.as_json() for f in result.files])
    assert "Peeters" not in said and "PEETERS" not in said
    assert all("eeters" not in p.name.lower() for p in (tmp_path / "q").iterdir())


def test_one_files_unexpected_error_refuses_that_file_only(tmp_path, monkeypatch):
    inbox = tmp_path / "in"
    write_csv(_extract("WGTW-ANT", 60, 1, dt.date(2023, 12, 31)), inbox)
    write_csv(_extract("WGTW-LIM", 60, 2, dt.date(2023, 12, 31)), inbox)
    real = check_module.check_privacy
    calls = []

    def breaks_once(con, columns, contract):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug that quotes a cell: 85.07.30-033.28")
        return real(con, columns, contract)

    monkeypatch.setattr(check_module, "check_privacy", breaks_once)
    result = run_load(inbox, tmp_path / "w.duckdb", tmp_path / "q")
    by_status = sorted((f.status, [x.rule for x in f.findings]) for f in result.files)
    assert by_status == [("loaded", []), ("refused", ["file.internal_error"])]
    said = json.dumps([f.as_json() for f in result.files]) + _text_of(tmp_path / "w.duckdb")
    assert "85.07.30" not in said and "RuntimeError" in said


def test_a_refused_file_that_cannot_be_quarantined_stays_and_is_logged(
    tmp_path, monkeypatch, caplog
):
    """A full quarantine disk: the load is still published, the file waits in the inbox and
    the log says why in the system's words."""
    import errno

    from pipelines import load as load_module

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(load_module, "move_to_quarantine", full)
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "Jan Peeters lijst.csv").write_text("a,b\n1,2\n")
    with caplog.at_level("ERROR"):
        result = run_load(inbox, tmp_path / "w.duckdb", tmp_path / "q")
    assert [f.status for f in result.files] == ["refused"]
    assert (inbox / "Jan Peeters lijst.csv").exists()
    assert "could not be moved to quarantine (No space left on device)" in caplog.text
    assert "Peeters" not in caplog.text
