"""The funder report pack, opened and checked: every output suppressed, readable, complete."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
import zipfile
from xml.sax.saxutils import escape as xml_escape

import polars as pl
import pytest
from PIL import Image
from pypdf import PdfReader

from tests.rendering.test_safe import xlsx_cells
from werkpad import disclosure, metrics
from werkpad.rendering.i18n import Translator
from werkpad.report_pack import build_pack
from werkpad.warehouse import connect_read_only

PERIOD = (dt.date(2022, 1, 1), dt.date(2022, 12, 31))


@pytest.fixture(scope="module")
def pack(loaded, tmp_path_factory):
    """A Limburg pack for 2022 at the publishing threshold (10)."""
    out = tmp_path_factory.mktemp("pack") / "pack.zip"
    con = connect_read_only(loaded[0] / "warehouse.duckdb")
    try:
        return build_pack(con, out, *PERIOD, ["WGTW-LIM"], threshold=10, lang="nl")
    finally:
        con.close()


@pytest.fixture(scope="module")
def selection(all_trajectories):
    return all_trajectories.filter(
        pl.col("project_code") == "WGTW-LIM", pl.col("reached_on").is_between(*PERIOD)
    )


def test_zip_holds_every_part(pack):
    names = set(zipfile.ZipFile(pack.path).namelist())
    assert {
        "esf_participants.xlsx",
        "esf_participants.csv",
        "summary.pdf",
        "README.txt",
        "funnel.png",
        "funnel.svg",
        "reached_per_month.png",
        "reached_per_month.svg",
        "step_types.png",
        "step_types.svg",
    } <= names


def _esf_sheet(pack) -> pl.DataFrame:
    """The ESF+ sheet as a Dutch funder opens it: the caption in A1, the table from row 3."""
    book = zipfile.ZipFile(pack.path).read("esf_participants.xlsx")
    return pl.read_excel(
        io.BytesIO(book),
        sheet_name="participants",
        read_options={"header_row": 2, "n_rows": pack.participants.height},
    )


def test_participants_table_reads_back_suppressed_and_true(pack, selection):
    table = _esf_sheet(pack)
    assert table.columns == ["Onderdeel", "Code", "Categorie", "Aantal"]
    shown = dict(
        zip(zip(table["Onderdeel"], table["Code"], strict=True), table["Aantal"], strict=True)
    )
    want = dict(selection.group_by("gender").len().iter_rows())
    for code in ("F", "M", "X"):
        value = shown[("Gender", code)]
        assert value == disclosure.SYMBOL or int(value) == want.get(code, 0)
    published = [int(v) for v in table["Aantal"] if v != disclosure.SYMBOL]
    assert all(v == 0 or v >= 10 for v in published)
    total = shown[("Gender", "total")]
    assert total == disclosure.SYMBOL or int(total) == selection.height
    assert pack.withheld >= 1  # this selection has small groups (non-binary, for one)


def test_participants_sheet_holds_numbers_and_notes(pack):
    """Counts are number cells in a count format, withheld ones the symbol; the data date and
    the suppression note stand under the table."""
    from tests.rendering.test_safe import xlsx_cells

    cells = xlsx_cells(zipfile.ZipFile(pack.path).read("esf_participants.xlsx"))
    counts = [cells[f"D{row}"] for row in range(4, 4 + pack.participants.height)]
    numbers = [c for c in counts if c.kind == "n"]
    assert numbers and all(c.number_format == "#,##0" for c in numbers)
    assert {c.value for c in counts if c.kind == "s"} == {disclosure.SYMBOL}
    assert len(numbers) == pack.participants.height - pack.withheld
    below = 4 + pack.participants.height + 1
    assert cells[f"A{below}"].value == "Gegevens tot 31/12/2023."
    assert cells[f"A{below + 1}"].value.startswith(f"{disclosure.SYMBOL} = weggelaten")
    assert "Limburg" in cells["A1"].value


def test_no_single_withheld_cell_in_a_section(pack):
    for section, part in pack.participants.group_by("section"):
        if section[0] in ("target_group", "results"):
            continue  # one-of-two breakdowns against the total: checked by the disclosure tests
        assert part["count"].null_count() != 1, section


def test_csv_matches_xlsx_and_carries_the_caption(pack):
    """The Dutch CSV opens in columns in a Belgian Excel: `;`, UTF-8 with a BOM, the caption
    and notes as one first cell, withheld counts as the symbol."""
    data = zipfile.ZipFile(pack.path).read("esf_participants.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(rows[0]) == 1 and rows[0][0].startswith("# ") and "31/12/2023" in rows[0][0]
    assert rows[1] == list(_esf_sheet(pack).columns)  # the XLSX's headers, in Dutch
    assert rows[1] == ["Onderdeel", "Code", "Categorie", "Aantal"]
    assert [r[3] for r in rows[2:]] == pack.participants["shown"].to_list()
    assert [r[3] for r in rows[2:]] == [str(v) for v in _esf_sheet(pack)["Aantal"]]


def test_pdf_is_a_typeset_summary_of_the_figures(pack):
    """At most two A4 pages with the programme, the figures, their definitions and metadata."""
    reader = PdfReader(io.BytesIO(zipfile.ZipFile(pack.path).read("summary.pdf")))
    assert 1 <= len(reader.pages) <= 2
    assert reader.metadata is not None and reader.metadata.title == "Rapportpakket voor financiers"
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Rapportpakket" in text and "31/12/2023" in text and "We Go To Work Limburg" in text
    reached = pack.headline["reached"]
    assert f"{reached:,}".replace(",", ".") in text
    assert Translator("nl")("metric_help.step_rate")[:40] in text  # a definition
    assert "pagina 1 / " in text
    assert "huidige gegevens" in text and "Extractdatum" in text  # the lineage: live snapshots


def test_images_decode(pack):
    archive = zipfile.ZipFile(pack.path)
    for name in ("funnel.png", "reached_per_month.png", "step_types.png"):
        image = Image.open(io.BytesIO(archive.read(name)))
        image.verify()
        assert image.size == (1200, 700)
    for name in ("funnel.svg", "step_types.svg"):
        assert b"<svg" in archive.read(name)[:500]


def _report(warehouse, out, period_from: str, period_to: str, *extra: str):
    """`werkpad report` in a fresh process, as an operator runs it."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "werkpad.cli",
            "report",
            "--warehouse",
            str(warehouse),
            "--period-from",
            period_from,
            "--period-to",
            period_to,
            "--out",
            str(out),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_report(loaded, tmp_path):
    out = tmp_path / "cli.zip"
    warehouse = loaded[0] / "warehouse.duckdb"
    run = _report(warehouse, out, "2023-01-01", "2023-06-30", "--lang", "en")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "withheld" in run.stdout and zipfile.is_zipfile(out)
    bad = _report(warehouse, out, "2023-06-30", "2023-01-01")
    assert bad.returncode == 2
    before = warehouse.read_bytes()  # an --out that is no .zip never overwrites a file
    bad = _report(warehouse, warehouse, "2023-01-01", "2023-06-30")
    assert bad.returncode == 2 and ".zip" in bad.stderr and warehouse.read_bytes() == before


def test_target_group_rows_lie_within_a_target_group_selection(loaded, tmp_path, all_trajectories):
    """A pack for people with mental health problems counts, per target group, those of them
    in it too; the row used to replace the selection's own target group."""
    con = connect_read_only(loaded[0] / "warehouse.duckdb")
    try:
        pack = build_pack(
            con,
            tmp_path / "p.zip",
            *PERIOD,
            threshold=5,
            filters={"target_group": ["mental_health"]},
        )
    finally:
        con.close()
    chosen = all_trajectories.filter(
        pl.col("mental_health"), pl.col("reached_on").is_between(*PERIOD)
    )
    rows = pack.participants.filter(pl.col("section") == "target_group")
    shown = dict(zip(rows["category"], rows["count"], strict=True))
    assert shown["mental_health"] == chosen.height
    for flag in ("addiction", "physical_disability", "migration_background"):
        want = chosen.filter(pl.col(flag)).height
        assert shown[flag] in (want, None), flag
    assert any(v is not None for k, v in shown.items() if k != "mental_health")


def test_each_chart_caption_is_printed_once(pack):
    """The PDF sets a chart's title as its caption; the picture itself carries none."""
    reader = PdfReader(io.BytesIO(zipfile.ZipFile(pack.path).read("summary.pdf")))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    t = Translator("nl")
    for title in (t("overview.funnel_title"), t("overview.trend_title")):
        assert text.count(title) == 1, title


def test_the_targets_sheet_and_table_agree_with_werkpad_progress(pack, loaded):
    """The pack's projects' targets, as `werkpad progress` gives them (counts far above 10,
    so nothing withheld), in the sheet with the statuses in words and in the PDF."""
    done = subprocess.run(
        [sys.executable, "-m", "werkpad.cli", "progress", "--json", "--project", "WGTW-LIM",
         "--warehouse", str(loaded[0] / "warehouse.duckdb")],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    expected = json.loads(done.stdout)["targets"]
    t = Translator("nl")
    book = zipfile.ZipFile(pack.path).read("targets.xlsx")
    sheet = pl.read_excel(io.BytesIO(book), sheet_name="targets",
                          read_options={"header_row": 2, "n_rows": len(expected)})  # fmt: skip
    assert sheet[t("column.project_code")].to_list() == ["WGTW-LIM"] * len(expected)
    assert sheet[t("column.metric")].to_list() == [t.metric(r["metric"]) for r in expected]
    assert sheet[t("column.actual")].to_list() == pytest.approx([r["actual"] for r in expected])
    assert sheet[t("column.status")].to_list() == [
        t(f"targets.status.{r['status']}") for r in expected
    ]
    reader = PdfReader(io.BytesIO(zipfile.ZipFile(pack.path).read("summary.pdf")))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert t("report.pdf.targets") in text
    for row in expected:
        assert f"WGTW-LIM · {t.metric(row['metric'])}" in text


def test_a_withheld_step_or_step_type_stays_on_the_pack_charts(loaded, tmp_path, all_trajectories):
    """A small selection (gender X in Limburg, 2022) at the pack's threshold: withheld stages
    and step types are drawn as x, never dropped, and the note says so."""
    con = connect_read_only(loaded[0] / "warehouse.duckdb")
    try:
        pack = build_pack(con, tmp_path / "small.zip", *PERIOD, ["WGTW-LIM"], threshold=10,
                          lang="nl", filters={"gender": ["X"]})  # fmt: skip
    finally:
        con.close()
    assert any(pack.headline[k] is None for k in metrics.FUNNEL), "small enough to withhold"
    t = Translator("nl")
    files = zipfile.ZipFile(pack.path)
    funnel = files.read("funnel.svg").decode()
    for name in metrics.FUNNEL:
        assert t.metric(name) in funnel
    steps = files.read("step_types.svg").decode()
    shown_types = pack.participants.filter(
        pl.col("section") == "step_type", pl.col("category") != "total"
    )
    assert shown_types["count"].null_count(), "some step type must be withheld"
    for label in shown_types["label"]:
        assert xml_escape(label) in steps
    assert "x = " in funnel or disclosure.SYMBOL in funnel


def test_the_targets_sheet_formats_people_as_people_and_rates_as_percentages(pack):
    """A funder reads 65,0 % for a rate target and 800 for a count one, not 0,7 and 800,0."""
    cells = xlsx_cells(zipfile.ZipFile(pack.path).read("targets.xlsx"))
    t = Translator("nl")
    header = {cell.value: ref[0] for ref, cell in cells.items() if ref[1:] == "3"}
    col = {name: header[t(f"column.{name}")] for name in
           ("metric", "target", "actual", "expected", "achievement")}  # fmt: skip
    rows = [ref[1:] for ref, cell in cells.items() if ref[0] == "A" and cell.value == "WGTW-LIM"]
    assert rows
    for row in rows:
        rate = cells[col["metric"] + row].value == t.metric("step_rate")
        for name in ("target", "actual", "expected"):
            assert cells[col[name] + row].number_format == ("0.0%" if rate else "#,##0"), name
        assert cells[col["achievement"] + row].number_format == "0.0%"


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_a_whole_site_pack_with_every_target_fits_two_pages(loaded, tmp_path, lang):
    """Every project and every target of the site, in the longest language: still at most two
    A4 pages, each project's row naming its extract date (the lineage)."""
    con = connect_read_only(loaded[0] / "warehouse.duckdb")
    try:
        pack = build_pack(con, tmp_path / "all.zip", dt.date(2013, 1, 1), dt.date(2023, 12, 31),
                          threshold=10, lang=lang)  # fmt: skip
    finally:
        con.close()
    reader = PdfReader(io.BytesIO(zipfile.ZipFile(pack.path).read("summary.pdf")))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert len(reader.pages) <= 2, text[-300:]
    extract = Translator(lang)("report.pdf.extract_date")
    assert extract in text and Translator(lang)("report.pdf.targets") in text


def test_the_pack_holds_the_employer_network_of_its_selection(network, tmp_path):
    """An Antwerp pack holds the employer-network sheet: Antwerp's placements (or the
    symbol), rows named in words, the note that a period selects by the placement's start,
    and no employer key in any text file of the pack."""
    con = connect_read_only(network[0])
    try:
        pack = build_pack(con, tmp_path / "p.zip", dt.date(2023, 1, 1), dt.date(2023, 12, 31),
                          scope={"scope_province": ["ANT"]})  # fmt: skip
    finally:
        con.close()
    t = Translator("nl", missing=disclosure.SYMBOL)
    frame = network[1].filter(
        pl.col("province_code") == "ANT",
        pl.col("started_on").is_between(dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
    )
    archive = zipfile.ZipFile(pack.path)
    sheet = pl.read_excel(io.BytesIO(archive.read("employer_network.xlsx")),
                          read_options={"header_row": 2})  # fmt: skip
    assert sheet.columns[:2] == [t("column.group"), t.metric("placements")]
    total = sheet.row(0)
    assert total[0] == t("employers.total")
    assert str(total[1]) in (str(frame.height), disclosure.SYMBOL)
    groups = [g for g in sheet[sheet.columns[0]].to_list() if g]
    assert f"{t('column.placement_type')}: {t.category('placement_type', 'work_experience')}" in (
        groups
    )
    assert not any(g.split(": ")[-1] == "WIZ-ANT" for g in groups)  # projects by name
    text = archive.read("employer_network.csv").decode("utf-8-sig")
    assert t("employers.period_note") in text
    said = "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                   if n.endswith((".csv", ".txt", ".svg")))  # fmt: skip
    assert not any(key in said for key in network[1]["employer_key"].unique())
    readme = archive.read("README.txt").decode()  # the lineage of Antwerp's projects only
    assert "- WIZ-ANT:" in readme and "- JS-ANT:" in readme
    assert "- OCMW-LEU:" not in readme and "- JS-GEN:" not in readme


def test_a_pack_without_placements_has_no_employer_sheet(pack):
    assert "employer_network.xlsx" not in zipfile.ZipFile(pack.path).namelist()
