"""Hostile partner files (issue #8): text from a file is data, never SQL, and limits hold.

Each hostile file goes through a real `run_load` into a copy of a warehouse already loaded with
the good sample. What is compared before and after is the DATA: every table of the `raw` and
`marts` schemas, row by row. The warehouse file itself is not compared byte for byte, because
the run rightly records each refusal in the ledger and run log (`ops`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import duckdb
import polars as pl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines import reader
from pipelines.findings import RefusedFile
from pipelines.load import run_load
from pipelines.macros import install_macros, quote_ident
from pipelines.privacy import check_privacy
from pipelines.reader import mixes_line_endings, read_extract
from sample_data.generator import Style
from sample_data.writer import as_text
from werkpad import config
from werkpad.contract import default_contract

CONTRACT = default_contract()
PROJECT = "WGTW-ANT"
MARKER = "werkpad-pwned"  # any file by this name anywhere means a statement from a file ran


def hostile_texts(target: Path) -> list[str]:
    """Header and cell texts that would run SQL if pasted into a query, and plain odd ones."""
    out = target / MARKER
    return [
        'x"y',
        f"x\" FROM extract; COPY (SELECT 42) TO '{out}.csv'; --",
        f"\"; COPY (SELECT 42) TO '{out}.csv'; SELECT \"",
        f"')); COPY (SELECT 42) TO '{out}.sql'; --",
        "\"); DELETE FROM wh.raw.trajectories WHERE project_code = 'WGTW-ANT'; --",
        f"\" ; ATTACH '{out}.duckdb' AS evil; --",
        "read_text('/etc/passwd')",
        "\" || (SELECT content FROM read_text('/etc/passwd')) || \"",
        "col -- x",
        "a /* comment */ b",
        "back\\slash\\",
        "line\nbreak",
        "semi;colon",
        "{columns}",
    ]


def _text_frame(frame: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    return as_text(frame.with_columns(pl.lit(day).alias("extract_date")), Style())


def write_rows(path: Path, header: list[str], rows: list[list[str | None]]) -> Path:
    """A CSV (csv module quoting) or an XLSX (xlsxwriter) with exactly this header and rows."""
    if path.suffix == ".csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
        path.write_text(buffer.getvalue(), encoding="utf-8")
        return path
    with xlsxwriter.Workbook(
        path, {"strings_to_numbers": False, "strings_to_formulas": False}
    ) as wb:
        sheet = wb.add_worksheet()
        for r, row in enumerate([header, *rows]):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write_string(r, c, value)
    return path


def hostile_files(frame: pl.DataFrame, inbox: Path, target: Path) -> dict[Path, str]:
    """One file per hostile text, as header and as cell, CSV and XLSX; path -> expected rule."""
    inbox.mkdir(parents=True, exist_ok=True)
    files = {}
    day = dt.date(2024, 2, 1)
    for text in hostile_texts(target):
        for fmt in ("csv", "xlsx"):
            for place in ("header", "cell"):
                text_frame = _text_frame(frame, day)
                header = list(text_frame.columns)
                rows = [list(r) for r in text_frame.rows()]
                # A header with only allowed characters (e.g. "a -- comment") is read, quoted,
                # and the file is judged by the contract: a wrong gender code refuses it.
                rule = "gender.values"
                if place == "header":
                    header.append(text)
                    for row in rows:
                        row.append("1")
                    rows[1][header.index("gender")] = "Q"
                    if not re.fullmatch(config.HEADER_NAME_PATTERN, text):
                        rule = "file.header"
                else:
                    rows[1][header.index("gender")] = text
                name = CONTRACT.file_name(PROJECT, day, fmt)
                files[write_rows(inbox / name, header, rows)] = rule
                day += dt.timedelta(days=1)
    return files


def data_tables(warehouse: Path) -> dict[str, list[tuple]]:
    """Every row of every table and view in the published `raw` and `marts` schemas, sorted."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('raw', 'marts') ORDER BY ALL"
        ).fetchall()
        return {
            f"{s}.{t}": sorted(
                con.execute(f"SELECT * FROM {quote_ident(s)}.{quote_ident(t)}").fetchall(),
                key=repr,
            )
            for s, t in names
        }
    finally:
        con.close()


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_quote_ident_keeps_any_text_a_name():
    con = duckdb.connect()
    for text in hostile_texts(Path(tempfile.gettempdir())):
        con.execute(f"CREATE OR REPLACE TABLE t ({quote_ident(text)} VARCHAR)")
        assert con.table("t").columns == [text]


def test_hostile_headers_and_cells_refused_and_change_nothing(tmp_path, fresh_copy, sample_frames):
    """Every hostile file is refused by a named rule; no statement from a file ran.

    The data tables (raw, marts) are compared before and after the run; the warehouse file is
    not compared byte for byte, as the run records the refusals in its ledger (ops).
    """
    frame = sample_frames[PROJECT].head(40)
    files = hostile_files(frame, tmp_path / "inbox", tmp_path)
    before_data = data_tables(fresh_copy)
    before_files = files_under(tmp_path) - set(files)

    result = run_load(tmp_path / "inbox", fresh_copy, tmp_path / "quarantine")

    by_name = {f.source.name: f for f in result.files if f.source}
    for path, rule in files.items():
        outcome = by_name[path.name]
        assert outcome.status == "refused", path.name
        assert rule in [f.rule for f in outcome.findings], (path.name, outcome.findings)
    assert not list(Path(tempfile.gettempdir()).glob(f"{MARKER}*"))
    new = files_under(tmp_path) - before_files - set(files)
    outside = [p for p in new if tmp_path / "quarantine" not in p.parents and p.parent != tmp_path]
    assert not outside
    assert not [p for p in new if MARKER in p.name]
    assert data_tables(fresh_copy) == before_data
    reported = json.dumps([r.as_json() for r in result.files])
    for text in hostile_texts(tmp_path):
        assert text not in reported and json.dumps(text)[1:-1] not in reported


header_text = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t\r"),
    max_size=40,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(header=header_text, fmt=st.sampled_from(["csv", "xlsx"]))
def test_any_header_text_is_read_or_refused_never_run(tmp_path, header, fmt):
    """Reader and guard on an in-memory database: a finding or a clean read, never an error."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    path = write_rows(
        folder / CONTRACT.file_name(PROJECT, dt.date(2024, 1, 1), fmt),
        ["trajectory_id", header],
        [["ANT-2021-0000001", "x"]],
    )
    con = duckdb.connect()
    install_macros(con, CONTRACT)
    try:
        columns = read_extract(con, path, CONTRACT, folder)
        check_privacy(con, columns, CONTRACT)
    except RefusedFile as refused:
        rules = {f.rule for f in refused.findings}
        assert rules <= {
            "file.header",
            "file.delimiter",
            "file.malformed_rows",
            "file.line_endings",  # a CR inside the header ends one line differently
            "privacy.personal_column",
            "privacy.email",
            "privacy.phone",
            "privacy.iban",
            "privacy.insz",
        }
        if len(header.strip()) > 8 and "file.header" in rules:
            assert header.strip() not in json.dumps([f.as_dict() for f in refused.findings])
    else:
        assert columns[0] == "trajectory_id" and len(columns) == 2
    assert files_under(folder) == {path}


# -- limits --------------------------------------------------------------------------------------


def _guard_file(path: Path) -> set[str]:
    con = duckdb.connect()
    install_macros(con, CONTRACT)
    try:
        columns = read_extract(con, path, CONTRACT, path.parent)
        check_privacy(con, columns, CONTRACT)
    except RefusedFile as refused:
        return {f.rule for f in refused.findings}
    return set()


def write_zip_bomb(path: Path, unpacked: int = 1 << 30) -> Path:
    """An XLSX-shaped zip whose sheet unpacks to `unpacked` bytes from about a megabyte."""
    row = b'<row><c t="inlineStr"><is><t>aaaaaaaa</t></is></c></row>' * 1024
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"/>',
        )
        archive.writestr(
            "xl/workbook.xml",
            '<workbook><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b"<worksheet><sheetData>")
            written = 0
            while written < unpacked:
                sheet.write(row)
                written += len(row)
            sheet.write(b"</sheetData></worksheet>")
    return path


def test_zip_bomb_refused_with_bounded_memory(tmp_path):
    """A 3 MB workbook unpacking to 1 GB is refused by name; the loading process stays small.

    The load runs in its own process, which reports its own peak RSS: VmHWM, which starts
    afresh at exec (ru_maxrss does not: it would count the forked pytest's own memory). The
    loader starts its background import of Great Expectations (about 330 MB) only for a file
    within the limits, so the bomb costs neither the unpacking nor that import.
    """
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    bomb = write_zip_bomb(inbox / CONTRACT.file_name(PROJECT, dt.date(2024, 3, 1), "xlsx"))
    assert bomb.stat().st_size < 4 * 2**20
    script = (
        "import json, re, sys\n"
        "def peak_rss_kb():\n"
        "    status = open('/proc/self/status').read()\n"
        "    return int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1))\n"
        "from pathlib import Path\n"
        "from pipelines import load\n"
        "r = load.run_load(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))\n"
        "print(json.dumps({'files': [f.as_json() for f in r.files],\n"
        "  'rss_kb': peak_rss_kb()}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, inbox, tmp_path / "w.duckdb", tmp_path / "q"],
        capture_output=True,
        text=True,
        timeout=600,
        env=os.environ | {"PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    (file,) = out["files"]
    assert file["status"] == "refused"
    assert any(r.startswith("file.xlsx_uncompressed") for r in file["reasons"]), file
    assert out["rss_kb"] < 500 * 1024, out["rss_kb"]


def test_lying_zip_directory_is_caught_by_unpacking(tmp_path, monkeypatch):
    """Limits are checked on what really unpacks, not only on what the directory declares."""
    bomb = write_zip_bomb(tmp_path / "WGTW-ANT_20240301.xlsx", unpacked=8 * 2**20)
    monkeypatch.setattr(config, "MAX_XLSX_UNCOMPRESSED_BYTES", 4 * 2**20)
    monkeypatch.setattr(config, "MAX_XLSX_COMPRESSION_RATIO", 10**9)  # ratio check off
    real = zipfile.ZipFile.infolist

    def lying(self):
        entries = real(self)
        for entry in entries:
            entry.file_size = 100  # the directory claims tiny entries
        return entries

    monkeypatch.setattr(zipfile.ZipFile, "infolist", lying)
    assert _guard_file(bomb) == {"file.xlsx_uncompressed"}


def _sample_rows(frame: pl.DataFrame) -> tuple[list[str], list[list[str | None]]]:
    text = _text_frame(frame, dt.date(2024, 1, 1))
    return list(text.columns), [list(r) for r in text.rows()]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_over_long_cell_refused_naming_row_and_column(tmp_path, sample_frames, fmt):
    header, rows = _sample_rows(sample_frames[PROJECT].head(5))
    rows[2][header.index("trajectory_id")] = "A" * (config.MAX_CELL_CHARS + 1)
    path = write_rows(tmp_path / f"WGTW-ANT_20240101.{fmt}", header, rows)
    con = duckdb.connect()
    install_macros(con, CONTRACT)
    with pytest.raises(RefusedFile) as refused:
        read_extract(con, path, CONTRACT, tmp_path)
    (finding,) = refused.value.findings
    assert (finding.rule, finding.rows, finding.columns) == (
        "file.cell_too_long",
        (4,),
        ("trajectory_id",),
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_too_many_columns_refused(tmp_path, fmt):
    header = [f"extra_{i}" for i in range(config.MAX_COLUMNS + 1)]
    path = write_rows(tmp_path / f"WGTW-ANT_20240101.{fmt}", header, [["1"] * len(header)])
    assert _guard_file(path) == {"file.too_many_columns"}


def test_too_many_rows_and_too_large_refused(tmp_path, sample_frames, monkeypatch):
    header, rows = _sample_rows(sample_frames[PROJECT].head(20))
    path = write_rows(tmp_path / "WGTW-ANT_20240101.csv", header, rows)
    monkeypatch.setattr(config, "MAX_ROWS", 19)
    assert _guard_file(path) == {"file.too_many_rows"}
    # a CSV is refused before it is parsed: 30 million short rows would cost gigabytes
    monkeypatch.setattr(reader, "_load_csv", lambda *a, **k: pytest.fail("parsed"))
    assert _guard_file(path) == {"file.too_many_rows"}
    monkeypatch.undo()
    monkeypatch.setattr(config, "MAX_ROWS", 19)
    monkeypatch.setattr(config, "MAX_FILE_BYTES", path.stat().st_size - 1)
    assert _guard_file(path) == {"file.too_large"}


def test_mixed_line_endings_named(tmp_path, sample_frames):
    header, rows = _sample_rows(sample_frames[PROJECT].head(6))
    path = write_rows(tmp_path / "WGTW-ANT_20240101.csv", header, rows)
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\r\n".join(lines[:3]) + b"\r\n" + b"\n".join(lines[3:]))
    assert mixes_line_endings(path)
    assert _guard_file(path) == {"file.line_endings"}
    path.write_bytes(b"\r\n".join(lines))
    assert not mixes_line_endings(path)
    assert _guard_file(path) == set()


def test_second_sheet_refused(tmp_path, sample_frames):
    header, rows = _sample_rows(sample_frames[PROJECT].head(5))
    path = tmp_path / "WGTW-ANT_20240101.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        first, second = wb.add_worksheet(), wb.add_worksheet("notes")
        for r, row in enumerate([header, *rows]):
            for c, value in enumerate(row):
                if value is not None:
                    first.write_string(r, c, value)
        second.write_string(0, 0, "anything")
    assert _guard_file(path) == {"file.sheets"}
