"""Submissions through the real CLI: frozen packs, exported byte for byte, withdrawn but kept,
and revisions against an independent count of the extracts' frames (tests/conftest.py
`history`: June extracts, then July's and a corrected July export)."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile

import pytest

from pipelines.load import run_load
from tests.conftest import JUNE, truth_of
from werkpad.cli import main


@pytest.fixture
def warehouse(history, tmp_path):
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(history[0] / "warehouse.duckdb", path)
    return path


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _submit(capsys, warehouse, out, *extra: str) -> dict:
    code, printed, err = _run(
        capsys, "submit", "--warehouse", str(warehouse), "--report", "esf",
        "--period-from", "2021-01-01", "--period-to", "2023-12-31", "--by", "Secretariaat",
        "--out", str(out), "--json", *extra,
    )  # fmt: skip
    assert code == 0, err
    return json.loads(printed)


def test_a_submission_is_frozen_and_exported_byte_for_byte(warehouse, tmp_path, capsys, history):
    _, june, *_ = history
    shown = _submit(capsys, warehouse, tmp_path / "pack.zip", "--as-of", JUNE.isoformat())
    original = (tmp_path / "pack.zip").read_bytes()
    assert shown["sha256"] == hashlib.sha256(original).hexdigest()
    assert shown["as_of"] == JUNE.isoformat()
    reached = next(f for f in shown["figures"] if f["metric"] == "reached")
    assert reached == {"section": "headline", "group": None, "metric": "reached",
                       "value": truth_of(list(june.values()))["reached"]}  # fmt: skip
    assert "summary.pdf" in zipfile.ZipFile(tmp_path / "pack.zip").namelist()
    # a later night's load keeps it, and the export is the very ZIP
    (tmp_path / "empty").mkdir()
    run_load(tmp_path / "empty", warehouse, tmp_path / "q")
    (tmp_path / "pack.zip").unlink()
    code, _, err = _run(
        capsys, "submissions", "export", shown["submission_id"], "--warehouse", str(warehouse),
        "--out", str(tmp_path / "again.zip"),
    )  # fmt: skip
    assert code == 0, err
    assert (tmp_path / "again.zip").read_bytes() == original


def test_withdrawing_keeps_the_submission_and_says_who_and_why(warehouse, tmp_path, capsys):
    shown = _submit(capsys, warehouse, tmp_path / "pack.zip")
    ident = shown["submission_id"]
    code, _, _ = _run(
        capsys, "submissions", "withdraw", ident, "--warehouse", str(warehouse),
        "--reason", "wrong period", "--by", "An",
    )  # fmt: skip
    assert code == 0
    code, printed, _ = _run(capsys, "submissions", "list", "--warehouse", str(warehouse), "--json")
    listed = {s["submission_id"]: s for s in json.loads(printed)}
    assert listed[ident]["withdrawn_reason"] == "wrong period"
    assert listed[ident]["withdrawn_by"] == "An" and listed[ident]["withdrawn_at"]
    assert listed[ident]["sha256"] == shown["sha256"]
    code, _, err = _run(
        capsys, "submissions", "withdraw", ident, "--warehouse", str(warehouse), "--reason", "x"
    )
    assert code == 2 and "withdrawn before" in err
    code, _, err = _run(
        capsys, "submissions", "export", "no-such-id", "--warehouse", str(warehouse),
        "--out", str(tmp_path / "x.zip"),
    )  # fmt: skip
    assert code == 2 and "no submission" in err and "Traceback" not in err


def test_revisions_against_an_independent_count(warehouse, tmp_path, capsys, history):
    _, june, july, corrected = history
    shown = _submit(capsys, warehouse, tmp_path / "pack.zip", "--as-of", JUNE.isoformat())
    code, printed, err = _run(
        capsys, "revisions", "--warehouse", str(warehouse), "--submission",
        shown["submission_id"], "--json",
    )  # fmt: skip
    assert code == 0, err
    revised = json.loads(printed)
    assert revised["submission_id"] == shown["submission_id"]
    assert revised["as_of"] == JUNE.isoformat()
    assert len(revised["figures"]) == len(shown["figures"])
    then, now = truth_of(list(june.values())), truth_of([corrected, july["WGTW-LIM"]])
    reached = next(f for f in revised["figures"] if f["metric"] == "reached")
    assert reached["submitted"] == then["reached"] and reached["current"] == now["reached"]
    assert reached["delta"] == now["reached"] - then["reached"] != 0
    women = next(f for f in revised["figures"] if (f["section"], f["group"]) == ("gender", "F"))
    assert women["submitted"] == then["women"] and women["current"] == now["women"]
    for figure in revised["figures"]:  # a small change is a small count: never shown
        if isinstance(figure["delta"], int) and figure["metric"] != "step_rate":
            assert figure["delta"] == 0 or abs(figure["delta"]) >= 5, figure
        if figure["delta"] is None and figure["submitted"] is not None:
            assert figure["current"] is None or figure["metric"].endswith("rate"), figure
