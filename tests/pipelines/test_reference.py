"""The site's reference files are checked before any extract (data_contracts/reference.yaml).

Each rule has a broken file that must be refused for it, naming file, row, column and rule and
never the value; the last good reference then stays live and the night's extracts are checked
against it; an accepted change is kept as a new version with its run.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.load import run_load
from pipelines.reference import read_table, reference_contract
from sample_data.committed import HERE
from werkpad.contract import default_contract
from werkpad.site import Site, demo_site

SECRET = "Zorg-Geheim-4711"  # a value that must never reach a report or an error


def _edit(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell (row as a spreadsheet numbers it: the header is row 1)."""
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[row - 2][column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


# (file, how it is broken, the rule it must be refused for, the row it names)
BROKEN = [
    ("partners", lambda p: _edit(p, 3, "partner_type", SECRET), "partner_type.values", 3),
    ("partners", lambda p: _edit(p, 4, "region_code", "LIM-NLI"), "region_in_province", 4),
    ("partners", lambda p: _edit(p, 2, "left_on", "2020-01-01"), "joined_before_left", 2),
    ("partners", lambda p: _edit(p, 5, "joined_on", "31/02/2021"), "joined_on.date", 5),
    ("partners", lambda p: _edit(p, 6, "partner_code", "ANT-ANT-MEN1"), "partner_code.unique", 6),
    ("projects", lambda p: _edit(p, 3, "end_date", "2020-12-31"), "end_after_start", 3),
    ("projects", lambda p: _edit(p, 2, "programme_code", "NOPE"), "programme_code.reference", 2),
    ("regions", lambda p: _edit(p, 2, "province_code", ""), "province_code.required", 2),
    ("programmes", lambda p: _append(p, "WGTW,Tweede naam"), "programme_code.unique", 2),
    ("targets", lambda p: _edit(p, 2, "metric", SECRET), "known_metric", 2),
    ("targets", lambda p: _edit(p, 3, "metric", "partners_active"), "known_metric", 3),
    ("targets", lambda p: _edit(p, 3, "target", "1,5"), "rate_target_a_fraction", 3),
    ("targets", lambda p: _edit(p, 4, "target", "0"), "target_positive", 4),
    ("targets", lambda p: _edit(p, 4, "target", "1.250"), "count_target_whole", 4),
    ("targets", lambda p: _edit(p, 4, "target", "1e300"), "count_target_whole", 4),
    ("targets", lambda p: _edit(p, 3, "target", "1e-300"), "rate_target_a_fraction", 3),
    ("targets", lambda p: _edit(p, 5, "target", "veel"), "target.number", 5),
    ("targets", lambda p: _edit(p, 2, "period_to", "2020-01-01"), "period_in_order", 2),
    ("targets", lambda p: _edit(p, 6, "project_code", "NOPE"), "project_code.reference", 6),
    (
        "targets",
        lambda p: _append(p, "WGTW-ANT,reached,2023-01-01,2024-12-31,100"),
        "one_target_per_period",
        2,
    ),
]


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A copy of the demo site, in use for this test, loaded once with the good reference."""
    root = tmp_path / "site"
    shutil.copytree(demo_site() / "reference", root / "reference")
    shutil.copy(demo_site() / "targets.csv", root / "targets.csv")
    monkeypatch.setenv("WERKPAD_SITE", str(root))
    default_contract.cache_clear()
    inbox = root / "inbox"
    inbox.mkdir()
    shutil.copy(HERE / "extracts" / "WGTW-ANT_20231231.csv", inbox)
    first = run_load(inbox, root / "warehouse.duckdb", root / "quarantine")
    assert [f.status for f in first.files] == ["loaded"]
    yield root
    default_contract.cache_clear()


def _reference(warehouse: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            table: con.execute(f"SELECT * FROM raw.ref_{table} ORDER BY ALL").fetchall()
            for table in ("programmes", "provinces", "regions", "projects", "partners", "targets")
        }
    finally:
        con.close()


@pytest.mark.parametrize(
    ("table", "breaking", "rule", "row"), BROKEN, ids=[f"{b[0]}-{b[2]}" for b in BROKEN]
)
def test_a_broken_reference_file_is_refused_and_the_last_good_one_stays(
    site, table, breaking, rule, row
):
    live = _reference(site / "warehouse.duckdb")
    (spec,) = [t for t in reference_contract() if t.name == table]
    breaking(spec.path(Site(site)))
    shutil.copy(HERE / "extracts" / "WGTW-LIM_20231231.csv", site / "inbox")
    result = run_load(site / "inbox", site / "warehouse.duckdb", site / "quarantine")
    refused = [f for f in result.files if f.file == spec.label]
    assert [f.status for f in refused] == ["refused"]
    found = {f.rule: f for f in refused[0].findings}
    assert rule in found, found
    assert row in found[rule].rows
    # the extract is still checked, against the last good reference, and loads
    assert [f.status for f in result.files if f.file.startswith("WGTW-LIM")] == ["loaded"]
    assert _reference(site / "warehouse.duckdb") == live
    # the steward's report names file, rule and row, never the value; the file stays in place
    report = next((site / "quarantine").glob(f"*-{spec.label}.report.md")).read_text()
    assert rule in report and spec.label in report and SECRET not in report
    assert "site folder" in report and "inbox" not in report  # corrected where it lives
    assert spec.path(Site(site)).is_file()


def test_an_accepted_change_is_a_new_version_with_its_run(site):
    con = duckdb.connect(str(site / "warehouse.duckdb"), read_only=True)
    before = con.execute("SELECT table_name, run_id FROM ops.reference_versions").fetchall()
    con.close()
    assert len(before) == len(reference_contract())  # the first load keeps every table
    _append(
        site / "reference" / "partners.csv", "ANT-ANT-NEW9,Nieuw,welfare,ANT,ANT-ANT,2023-01-01,"
    )
    result = run_load(site / "inbox", site / "warehouse.duckdb", site / "quarantine")
    con = duckdb.connect(str(site / "warehouse.duckdb"), read_only=True)
    after = con.execute(
        "SELECT table_name, run_id, json_array_length(rows) FROM ops.reference_versions "
        "WHERE run_id = ?",
        [result.run_id],
    ).fetchall()
    old = con.execute(
        "SELECT json_array_length(rows) FROM ops.reference_versions "
        "WHERE table_name = 'partners' AND run_id <> ?",
        [result.run_id],
    ).fetchone()
    con.close()
    assert after == [("partners", result.run_id, old[0] + 1)]  # only the file that changed


def test_a_semicolon_cp1252_file_with_a_bom_less_header_reads_as_written(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_bytes(
        "region_code;name;province_code\r\nLIM-NLI;Noord-Limburg é;LIM\r\n".encode("cp1252")
    )
    frame, _ = read_table(path)
    assert frame.rows() == [(2, "LIM-NLI", "Noord-Limburg é", "LIM")]


CELL = st.text(
    st.characters(codec="cp1252", exclude_characters="\r\n\x00", exclude_categories=("Cs",)),
    max_size=12,
).map(str.strip)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(CELL, CELL), min_size=1, max_size=6),
    delimiter=st.sampled_from([",", ";"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_any_reference_file_reads_back_cell_for_cell(tmp_path_factory, rows, delimiter, encoding):
    """Whatever a site's spreadsheet writes (quotes, separators, accents), the reader gives
    back every cell of every non-empty row, with its spreadsheet row number."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["code", "name"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("ref") / "t.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    frame, _ = read_table(path)
    expected = [(i + 2, a or None, b or None) for i, (a, b) in enumerate(rows) if a or b]
    assert frame.rows() == expected


def test_with_no_good_reference_ever_the_extracts_wait_in_the_inbox(tmp_path, monkeypatch):
    root = tmp_path / "site"
    shutil.copytree(demo_site() / "reference", root / "reference")
    _edit(root / "reference" / "projects.csv", 2, "province_code", "XXX")
    monkeypatch.setenv("WERKPAD_SITE", str(root))
    default_contract.cache_clear()
    (root / "inbox").mkdir()
    shutil.copy(HERE / "extracts" / "WGTW-ANT_20231231.csv", root / "inbox")
    result = run_load(root / "inbox", root / "warehouse.duckdb", root / "quarantine")
    default_contract.cache_clear()
    assert [(f.file, f.status) for f in result.files] == [("projects.csv", "refused")]
    assert (root / "inbox" / "WGTW-ANT_20231231.csv").is_file()  # untouched, for next night


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"\xff\xfep\x00r\x00o\x00", "file.encoding"),  # UTF-16, NUL bytes
        (b"project_code,metric\n\x81\x8d,x\n", "file.encoding"),  # neither UTF-8 nor cp1252
        (b"project_code,metric\n" + b"a" * 200_000 + b",x\n", "file.unreadable"),  # csv's limit
    ],
    ids=["utf16", "undecodable", "huge-cell"],
)
def test_a_file_that_is_no_text_table_is_refused_not_a_crash(site, content, rule):
    live = _reference(site / "warehouse.duckdb")
    (site / "targets.csv").write_bytes(content)
    result = run_load(site / "inbox", site / "warehouse.duckdb", site / "quarantine")
    (refused,) = [f for f in result.files if f.file == "targets.csv"]
    assert refused.status == "refused" and [f.rule for f in refused.findings] == [rule]
    assert _reference(site / "warehouse.duckdb") == live
