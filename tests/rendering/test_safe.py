"""Files a Belgian funder can use, opened as a person opens them.

A CSV is read back with Python's csv module the way Excel in the reader's locale splits it
(`;` and a decimal comma in nl/fr, `,` and `.` in en); an XLSX is opened with fastexcel (the
values a reader gets) and its cells are read from the sheet's XML (what is a number, which
number format, what is a formula).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

import fastexcel
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from werkpad import disclosure
from werkpad.rendering import safe
from werkpad.rendering.i18n import Translator

BOM = b"\xef\xbb\xbf"
NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
# the built-in number formats Excel knows by id (ECMA-376 18.8.30); xlsxwriter uses them
BUILT_IN = {0: "General", 3: "#,##0", 9: "0%", 10: "0.00%", 14: "mm-dd-yy", 22: "m/d/yy h:mm"}
CAPTION = "Provincie: Limburg, Antwerpen; Periode van eerste contact: 01/01/2022–31/12/2022"
NOTES = ("Gegevens tot 31/12/2023.", "x = weggelaten: aantallen onder 5 ...")


@dataclass(frozen=True)
class Cell:
    kind: str  # "s" text, "n" number, "f" formula
    value: object
    number_format: str


def _unescape(text: str) -> str:
    """OOXML writes control characters as _xHHHH_."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def xlsx_cells(data: bytes, sheet: int = 1) -> dict[str, Cell]:
    """Each cell of a sheet from its XML: kind, value and number format."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        strings = [
            _unescape("".join(t.text or "" for t in si.iter(f"{{{NS['x']}}}t")))
            for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
        ]
        styles = ElementTree.fromstring(book.read("xl/styles.xml"))
        root = ElementTree.fromstring(book.read(f"xl/worksheets/sheet{sheet}.xml"))
    codes = dict(BUILT_IN) | {
        int(f.get("numFmtId", 0)): f.get("formatCode", "")
        for f in styles.iterfind(".//x:numFmts/x:numFmt", NS)
    }
    xfs = [int(xf.get("numFmtId", 0)) for xf in styles.iterfind(".//x:cellXfs/x:xf", NS)]
    cells = {}
    for c in root.iterfind(".//x:c", NS):
        value = c.findtext("x:v", default=None, namespaces=NS)
        number_format = codes[xfs[int(c.get("s", 0))]]
        if c.find("x:f", NS) is not None:
            cells[c.get("r")] = Cell("f", c.findtext("x:f", namespaces=NS), number_format)
        elif c.get("t") == "s":
            cells[c.get("r")] = Cell("s", strings[int(value)], number_format)
        elif value is not None:
            cells[c.get("r")] = Cell("n", float(value), number_format)
    return cells


def read_csv(data: bytes, separator: str) -> list[list[str]]:
    """The CSV as Excel splits it: UTF-8 after the byte-order mark, one list per line."""
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=separator))


def _figures() -> pl.DataFrame:
    """A published table: a project, counts and a rate with one figure withheld each."""
    return pl.DataFrame(
        {
            "project_code": ["WGTW-LIM", '=HYPERLINK("http://x")', "WGTW-ANT"],
            "reached": [3585, None, 12],
            "step_rate": [0.654, 0.5, None],
            "step_rate_low": [0.6, 0.4, None],
            "median_days_to_decision": [42.5, 30.0, 12.25],
            "reached_month": [dt.date(2023, 5, 1), dt.date(2023, 6, 1), dt.date(2023, 7, 1)],
        },
        schema_overrides={"reached": pl.Int64},
    )


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_belgian_csv_opens_in_columns_with_numbers_as_numbers(lang):
    data = safe.csv_bytes(_figures(), CAPTION, lang, NOTES, suppressed=True)
    rows = read_csv(data, ";")
    assert rows[0] == [f"# {CAPTION} {' '.join(NOTES)}"]  # the caption: one cell, its `;` too
    t = Translator(lang)
    assert rows[1] == [safe.column_header(t, c) for c in _figures().columns]
    assert rows[1][1] == t("column.reached")  # in the reader's words, as the XLSX has it
    assert all(len(row) == 6 for row in rows[1:])
    assert [r[1] for r in rows[2:]] == ["3585", disclosure.SYMBOL, "12"]
    assert [r[2] for r in rows[2:]] == ["0,654", "0,5", disclosure.SYMBOL]  # rates: fractions
    assert [r[4] for r in rows[2:]] == ["42,5", "30", "12,25"]
    assert rows[3][0] == '\'=HYPERLINK("http://x")'
    assert rows[2][5] == "2023-05-01"
    numbers = [c for r in rows[2:] for c in r[1:5] if c != disclosure.SYMBOL]
    assert all(re.fullmatch(r"-?\d+(,\d+)?", c) for c in numbers)  # no %, no thousands dot


def test_english_csv_is_plain_comma_and_point():
    rows = read_csv(safe.csv_bytes(_figures(), CAPTION, "en", NOTES, suppressed=True), ",")
    assert rows[0][0].startswith("# Provincie: Limburg, Antwerpen;") and len(rows[0]) == 1
    assert [r[2] for r in rows[2:]] == ["0.654", "0.5", disclosure.SYMBOL]
    assert [r[1] for r in rows[2:]] == ["3585", disclosure.SYMBOL, "12"]


def test_an_empty_figure_is_withheld_only_where_figures_are_suppressed():
    rows = read_csv(safe.csv_bytes(_figures(), CAPTION, "nl"), ";")
    assert rows[3][1] == "" and rows[4][2] == ""
    frame = pl.DataFrame({"file_name": [None, "a"], "rows": [1, 2]})
    rows = read_csv(safe.csv_bytes(frame, CAPTION, "nl", suppressed=True), ";")
    assert rows[2][0] == ""  # empty text is no withheld figure


def test_a_column_withheld_in_every_row_is_x_not_empty():
    """polars types an all-None column Null: the review found it written as empty cells, so
    a withheld figure read as missing data."""
    frame = pl.DataFrame({"placement_type": ["ibo", "art60"], "employers_repeat": [None, None]})
    rows = read_csv(safe.csv_bytes(frame, CAPTION, "nl", suppressed=True), ";")
    assert [r[1] for r in rows[2:4]] == ["x", "x"]
    cells = xlsx_cells(safe.xlsx_bytes(frame, CAPTION, "nl", "data", NOTES, suppressed=True))
    assert (cells["B4"].value, cells["B5"].value) == ("x", "x")


def _workbook(lang: str = "nl", frame: pl.DataFrame | None = None) -> bytes:
    frame = _figures() if frame is None else frame
    return safe.xlsx_bytes(frame, CAPTION, lang, "data", NOTES, suppressed=True)


def test_xlsx_figures_are_numbers_with_formats_and_withheld_is_x():
    cells = xlsx_cells(_workbook())
    assert cells["A1"] == Cell("s", CAPTION, "General")
    assert cells["B4"] == Cell("n", 3585, "#,##0")
    assert cells["C4"] == Cell("n", 0.654, "0.0%")
    assert cells["D4"] == Cell("n", 0.6, "0.0%")  # an interval bound is a rate too
    assert cells["E4"].kind == "n" and cells["E4"].number_format == "#,##0.0"
    assert cells["F4"].kind == "n" and cells["F4"].number_format == "dd/mm/yyyy"
    assert cells["B5"].value == disclosure.SYMBOL and cells["B5"].kind == "s"
    assert cells["C6"].value == disclosure.SYMBOL
    assert cells["A5"] == Cell("s", '\'=HYPERLINK("http://x")', "General")
    assert not [c for c in cells.values() if c.kind == "f"]


@pytest.mark.parametrize(
    ("lang", "headers"),
    [
        ("nl", ["Project", "Bereikt", "Stapratio", "Stapratio (Ondergrens 95%)"]),
        ("fr", ["Projet", "Atteintes", "Taux de pas", "Taux de pas (Borne inférieure 95 %)"]),
        ("en", ["Project", "Reached", "Step rate", "Step rate (Lower 95%)"]),
    ],
)
def test_xlsx_headers_are_in_the_readers_language(lang, headers):
    t = Translator(lang)
    sheet = fastexcel.read_excel(_workbook(lang)).load_sheet("data", header_row=2, n_rows=3)
    table = sheet.to_polars()
    assert table.columns[:4] == headers
    assert table.columns[4] == t.metric("median_days_to_decision")
    assert table.columns[5] == t("column.reached_month") != "column.reached_month"
    assert table[table.columns[4]].dtype == pl.Float64  # a reader computes with it


def test_a_column_nobody_labelled_keeps_its_code():
    assert safe.column_header(Translator("nl"), "something_new") == "something_new"


def test_xlsx_notes_row_under_the_table_and_columns_fit():
    cells = xlsx_cells(_workbook())
    assert cells["A8"].value == NOTES[0] and cells["A9"].value == NOTES[1]  # a blank row between
    assert "A7" not in cells
    with zipfile.ZipFile(io.BytesIO(_workbook())) as book:
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    widths = {int(c.get("min")): float(c.get("width")) for c in sheet.iterfind(".//x:col", NS)}
    assert widths[1] < len(CAPTION)  # the caption runs over the empty cells, column A fits its
    assert widths[1] >= len('=HYPERLINK("http://x")')  # own widest value
    assert widths[4] >= len("Stapratio (Ondergrens 95%)")


def test_every_groupable_column_has_a_header_in_every_language():
    from werkpad.metrics import GROUPABLE

    for lang in ("nl", "fr", "en"):
        t = Translator(lang)
        assert [g for g in GROUPABLE if safe.column_header(t, g) == g] == []


CELL_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["=1+1", "+1", "-x", "@SUM(A1)", "\tx", "\rx", 'a;"b"', "a\nb", "a,b", "'=x"]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(CELL_TEXT, min_size=1, max_size=4), st.sampled_from(["nl", "fr", "en"]))
def test_text_round_trips_safely(texts, lang):
    """Any text comes back from the CSV as written (a quote before a formula start), and
    is a string cell in the XLSX, never a formula."""
    frame = pl.DataFrame({"text": texts, "n": list(range(len(texts)))})
    separator = safe.CSV_DIALECT[lang][0]
    rows = read_csv(safe.csv_bytes(frame, CAPTION, lang, suppressed=True), separator)
    assert [r[0] for r in rows[2:]] == [safe.text_cell(t) for t in texts]
    assert all(r[0] in (t, "'" + t) and not r[0].startswith(safe.FORMULA_START)
               for r, t in zip(rows[2:], texts, strict=True))  # fmt: skip
    cells = xlsx_cells(_workbook(lang, frame))
    assert not [c for c in cells.values() if c.kind == "f"]
    empty = Cell("s", "", "General")
    shown = [cells.get(f"A{row}", empty).value for row in range(4, 4 + len(texts))]
    assert shown == [safe.text_cell(t) for t in texts]
    assert [cells[f"B{row}"].value for row in range(4, 4 + len(texts))] == list(range(len(texts)))


def test_columns_a_page_named_in_words_keep_their_number_formats():
    """A league table named in Dutch on the page (Stapratio, Ondergrens 95%) still holds
    rates as percentages and counts as counts."""
    t = Translator("nl")
    frame = pl.DataFrame(
        {
            t("column.project_code"): ["WGTW-LIM"],
            t("column.reached"): [714],
            t.metric("decided"): [300],
            t("column.step_rate"): [0.654],
            t("column.low"): [0.6],
            "of_first": [0.2],
        }
    )
    cells = xlsx_cells(safe.xlsx_bytes(frame, CAPTION, "nl"))
    formats = [cells[f"{col}4"].number_format for col in "BCDEF"]
    assert formats == ["#,##0", "#,##0", "0.0%", "0.0%", "0.0%"]
    assert cells["B3"].value == "Bereikt" and cells["F3"].value == t("column.of_first")
