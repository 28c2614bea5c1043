"""Every faulty sample file is refused for the right reason, with nothing stored or leaked."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from sample_data.faulty import FAULTS, iban_be, insz_number

# Values the faulty files carry that must never appear in any output.
PERSONAL_VALUES = [
    insz_number(dt.date(1985, 3, 12), 123),
    insz_number(dt.date(2003, 7, 1), 45),
    "an.peeters@example.be",
    "0472 12 34 56",
    iban_be(1234567890),
    "Chloé",
]


def test_every_fault_is_written(loaded):
    _, _, faulty = loaded
    assert sorted(faulty.values()) == sorted(rule for rule, _ in FAULTS.values())


def test_each_faulty_file_refused_for_its_rule(loaded):
    root, result, faulty = loaded
    by_name = {f.source.name: f for f in result.files}
    for path, rule in faulty.items():
        outcome = by_name[path.name]
        assert outcome.status == "refused", path.name
        assert rule in [f.rule for f in outcome.findings], (path.name, outcome.findings)


def test_refused_files_moved_to_quarantine_with_report(loaded):
    root, result, faulty = loaded
    inbox = {p.name for p in (root / "inbox").iterdir()}
    for path in faulty:
        assert path.name not in inbox
    for outcome in result.refused:
        assert outcome.report.exists()
        twin = outcome.report.with_name(outcome.report.name.replace(".md", ".json"))
        report = json.loads(twin.read_text())
        assert report["status"] == "refused"
        assert {f["rule"] for f in report["findings"]} == {f.rule for f in outcome.findings}
        quarantined = outcome.report.parent / outcome.report.name.removesuffix(".report.md")
        assert quarantined.exists()


def test_row_numbers_point_at_the_bad_rows(loaded):
    _, result, _ = loaded
    findings = {f.rule: f for r in result.refused for f in r.findings}
    # _privacy_cell writes the value on data row index 3: spreadsheet row 5 (header is row 1)
    assert findings["privacy.email"].rows == (5,)
    assert findings["privacy.email"].columns == ("trajectory_id",)
    # _duplicate_ids copies the id of data row 2 onto rows 5 and 9
    assert findings["trajectory_id.unique"].rows == (4, 7, 11)
    assert findings["gender.values"].rows == (8,)


def test_nothing_of_a_refused_file_is_stored(loaded):
    root, result, _ = loaded
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        refused = {r.sha256 for r in result.refused}
        stored = {
            s
            for (s,) in con.execute(
                "SELECT DISTINCT _source_sha256 FROM raw.trajectories"
            ).fetchall()
        }
        assert stored and not stored & refused
        live = dict(con.execute("SELECT project_code, extract_date FROM ops.snapshots").fetchall())
        assert set(live.values()) == {dt.date(2023, 12, 31)}  # every project's last good one
        dump = str(con.execute("SELECT * FROM raw.trajectories").fetchall())
    finally:
        con.close()
    for value in PERSONAL_VALUES:
        assert value not in dump


@pytest.mark.parametrize("value", PERSONAL_VALUES)
def test_no_personal_value_in_any_report_or_data_docs(loaded, value):
    root, result, _ = loaded
    outputs = [
        p
        for p in (root / "quarantine").rglob("*")
        if p.is_file() and ".report." in p.name or p.suffix in (".html", ".json")
    ]
    assert any(p.suffix == ".html" for p in outputs), "no Data Docs page was written"
    for path in outputs:
        assert value not in path.read_text(encoding="utf-8", errors="ignore"), path
    assert value not in json.dumps([r.as_json() for r in result.files])
