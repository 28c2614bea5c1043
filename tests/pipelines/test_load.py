"""Loading: idempotent, newest snapshot wins, corrected exports replace, exit codes and JSON."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys

import duckdb

from pipelines.load import run_load
from sample_data.generator import generate
from tests.conftest import write_csv


def _snapshots(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        live = {
            p: (d, n)
            for p, d, n in con.execute(
                "SELECT project_code, extract_date, rows FROM ops.snapshots"
            ).fetchall()
        }
        counts = dict(
            con.execute(
                "SELECT project_code, count(*) FROM marts.fct_trajectories GROUP BY 1"
            ).fetchall()
        )
    finally:
        con.close()
    return live, counts


def test_good_files_loaded_with_all_rows(loaded, sample_frames):
    root, result, _ = loaded
    statuses = {f.project_code: f.rows for f in result.files if f.status == "loaded"}
    assert statuses == {p: f.height for p, f in sample_frames.items()}
    live, counts = _snapshots(root / "warehouse.duckdb")
    assert counts == {p: f.height for p, f in sample_frames.items()}


def test_rerun_of_the_same_inbox_is_a_no_op(loaded, fresh_copy):
    root, _, _ = loaded
    before = _snapshots(fresh_copy)
    again = run_load(root / "inbox", fresh_copy, fresh_copy.parent / "q")
    assert {f.status for f in again.files} == {"unchanged"}
    assert _snapshots(fresh_copy) == before


def test_newer_snapshot_replaces_older_and_older_never_replaces_newer(tmp_path):
    older = generate(400, 1, dt.date(2023, 6, 30), ["WGTW-LIM"])["WGTW-LIM"]
    newer = generate(600, 2, dt.date(2023, 12, 31), ["WGTW-LIM"])["WGTW-LIM"]
    warehouse = tmp_path / "w.duckdb"
    write_csv(older, tmp_path / "night1")
    assert run_load(tmp_path / "night1", warehouse, tmp_path / "q").files[0].status == "loaded"
    write_csv(newer, tmp_path / "night2")
    assert run_load(tmp_path / "night2", warehouse, tmp_path / "q").files[0].status == "loaded"
    assert _snapshots(warehouse)[0]["WGTW-LIM"] == (dt.date(2023, 12, 31), newer.height)
    write_csv(older, tmp_path / "night3")  # the same older file seen again
    result = run_load(tmp_path / "night3", warehouse, tmp_path / "q")
    assert result.files[0].status == "unchanged"  # its hash is in the ledger
    other_older = generate(300, 3, dt.date(2023, 3, 31), ["WGTW-LIM"])["WGTW-LIM"]
    write_csv(other_older, tmp_path / "night4")
    assert run_load(tmp_path / "night4", warehouse, tmp_path / "q").files[0].status == "superseded"
    assert _snapshots(warehouse)[0]["WGTW-LIM"] == (dt.date(2023, 12, 31), newer.height)


def test_older_file_in_the_same_inbox_is_superseded(tmp_path):
    write_csv(generate(200, 1, dt.date(2023, 6, 30), ["WGTW-OVL"])["WGTW-OVL"], tmp_path / "in")
    write_csv(generate(300, 2, dt.date(2023, 12, 31), ["WGTW-OVL"])["WGTW-OVL"], tmp_path / "in")
    result = run_load(tmp_path / "in", tmp_path / "w.duckdb", tmp_path / "q")
    assert sorted(f.status for f in result.files) == ["loaded", "superseded"]
    assert _snapshots(tmp_path / "w.duckdb")[0]["WGTW-OVL"][1] == 300


def test_corrected_export_with_the_same_date_replaces(tmp_path):
    first = generate(250, 1, dt.date(2023, 12, 31), ["WGTW-WVL"])["WGTW-WVL"]
    write_csv(first, tmp_path / "in")
    run_load(tmp_path / "in", tmp_path / "w.duckdb", tmp_path / "q")
    corrected = generate(260, 9, dt.date(2023, 12, 31), ["WGTW-WVL"])["WGTW-WVL"]
    write_csv(corrected, tmp_path / "in")  # same file name, new content
    result = run_load(tmp_path / "in", tmp_path / "w.duckdb", tmp_path / "q")
    assert result.files[0].status == "loaded"
    assert _snapshots(tmp_path / "w.duckdb")[0]["WGTW-WVL"] == (dt.date(2023, 12, 31), 260)


def test_cli_exit_codes_and_json(tmp_path, loaded):
    root, _, faulty = loaded
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = generate(150, 4, dt.date(2023, 12, 31), ["WGTW-ANT"])["WGTW-ANT"]
    write_csv(good, inbox)
    bad = next(p for p, rule in faulty.items() if rule == "dates_in_order")
    quarantined = next((root / "quarantine").glob(f"*-{bad.name}"))
    shutil.copy(quarantined, inbox / bad.name)
    cmd = [
        sys.executable,
        "-m",
        "werkpad.cli",
        "load",
        "--inbox",
        str(inbox),
        "--warehouse",
        str(tmp_path / "w.duckdb"),
        "--json",
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert run.returncode == 3, run.stderr[-2000:]
    files = {f["file"]: f for f in json.loads(run.stdout)["files"]}
    assert files[bad.name]["status"] == "refused"
    assert any(r.startswith("dates_in_order") for r in files[bad.name]["reasons"])
    assert files["WGTW-ANT_20231231.csv"] == {
        "file": "WGTW-ANT_20231231.csv",
        "project_code": "WGTW-ANT",
        "status": "loaded",
        "rows": good.height,
        "reasons": [],
        "report": None,
    }
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0
    assert [f["status"] for f in json.loads(again.stdout)["files"]] == ["unchanged"]
    usage = subprocess.run(
        [
            sys.executable,
            "-m",
            "werkpad.cli",
            "load",
            "--inbox",
            str(tmp_path / "missing"),
            "--warehouse",
            "x.duckdb",
        ],
        capture_output=True,
        text=True,
    )
    assert usage.returncode == 2
    assert (
        subprocess.run(
            [sys.executable, "-m", "werkpad.cli", "load"], capture_output=True
        ).returncode
        == 2
    )


def test_run_log_records_every_file(loaded):
    root, result, _ = loaded
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        runs = con.execute(
            "SELECT files, loaded, refused, ended_at >= started_at FROM ops.runs"
        ).fetchall()
        logged = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'refused') FROM ops.run_files"
        ).fetchone()
        ledger_runs = con.execute(
            "SELECT DISTINCT l.run_id = r.run_id FROM ops.file_ledger l, ops.runs r"
        ).fetchall()
    finally:
        con.close()
    assert runs == [(len(result.files), 5, len(result.refused), True)]
    assert logged == (len(result.files), len(result.refused))
    assert ledger_runs == [(True,)]  # every verdict names the run that gave it
