"""The dashboard's downloads as a funder and a steering member get them: the symbol and its
note where figures are withheld, the data date on every file, XLSX beside every chart, and no
plotly camera button that would save an image without any of that."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from types import SimpleNamespace

import polars as pl
from streamlit.testing.v1 import AppTest

from dashboard import downloads
from tests.rendering.test_safe import xlsx_cells
from werkpad import disclosure
from werkpad.rendering.i18n import Translator

DATE = dt.date(2023, 12, 31)
LINEAGE = "Extractdatum per project: 31/12/2023: WGTW-LIM; 30/11/2023: JS-GNK."
FRAME = pl.DataFrame(
    {"referral_source": ["ocmw", "vdab"], "reached": [120, None], "step_rate": [0.654, None]}
)


def _ctx(suppressed: bool) -> SimpleNamespace:
    missing = disclosure.SYMBOL if suppressed else "–"
    return SimpleNamespace(
        caption="Provincie: Limburg; Periode van eerste contact: 01/01/2022–31/12/2022",
        t=Translator("nl", missing=missing),
        data_date=DATE,
        threshold=disclosure.THRESHOLD if suppressed else None,
        slug="province-LIM",
        lineage=LINEAGE if suppressed else "",
    )


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_a_funders_files_show_the_symbol_and_say_what_it_means():
    ctx = _ctx(suppressed=True)
    note = ctx.t("access.suppressed_note", symbol="x", threshold=disclosure.THRESHOLD)
    rows = _rows(downloads.csv_bytes(FRAME, ctx))
    assert rows[0] == [
        "# Filters: Provincie: Limburg; Periode van eerste contact: 01/01/2022–31/12/2022. "
        f"Gegevens tot 31/12/2023. {LINEAGE} {note}"
    ]
    assert rows[1] == ["Toeleider", "Bereikt", "Stapratio"]  # headers in the reader's words
    assert rows[2:] == [["ocmw", "120", "0,654"], ["vdab", "x", "x"]]
    cells = xlsx_cells(downloads.xlsx_bytes(FRAME, ctx))
    assert (cells["B5"].value, cells["C5"].value) == ("x", "x")
    assert cells["A7"].value == "Gegevens tot 31/12/2023." and cells["A8"].value == LINEAGE
    assert cells["A9"].value == note
    assert downloads.image_caption(ctx).splitlines()[1:] == [
        "Gegevens tot 31/12/2023.",
        LINEAGE,
        note,
    ]


def test_a_steering_members_files_have_no_symbol_and_no_note():
    ctx = _ctx(suppressed=False)
    rows = _rows(downloads.csv_bytes(FRAME, ctx))
    assert rows[3] == ["vdab", "", ""]
    assert "weggelaten" not in rows[0][0] and "Gegevens tot 31/12/2023." in rows[0][0]
    assert len(downloads.image_caption(ctx).splitlines()) == 2


def _page() -> None:
    """A chart as a page shows it (downloads.chart), for AppTest."""
    import datetime as dt
    from types import SimpleNamespace

    import polars as pl

    from dashboard import downloads
    from werkpad.rendering import charts
    from werkpad.rendering.i18n import Translator

    t = Translator("nl")
    frame = pl.DataFrame({"referral_source": ["ocmw", "vdab"], "reached": [120, 80]})
    ctx = SimpleNamespace(caption="-", t=t, data_date=dt.date(2023, 12, 31), threshold=None,
                          slug="flanders", lineage="")  # fmt: skip
    fig = charts.bar(frame, "referral_source", "reached", t, "Bereik", "Personen")
    downloads.chart(fig, frame, "reach", ctx)


def test_every_chart_offers_xlsx_and_no_uncaptioned_camera():
    at = AppTest.from_function(_page, default_timeout=60).run()
    assert not at.exception
    [chart] = at.get("plotly_chart")
    assert "toImage" in json.loads(chart.proto.config)["modeBarButtonsToRemove"]
    labels = [button.proto.label for button in at.get("download_button")]
    assert labels == ["PNG", "SVG", "CSV", "Excel"]


def test_a_stewards_file_statuses_read_as_the_page_says_them():
    """Data quality files: a file's status in words, in the steward's language."""
    frame = pl.DataFrame({"file_name": ["a.csv", "b.csv"], "status": ["loaded", "refused"]})
    for lang in ("nl", "fr", "en"):
        ctx = _ctx(suppressed=False)
        ctx.t = Translator(lang)
        separator = "," if lang == "en" else ";"
        data = downloads.csv_bytes(frame, ctx).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(data, newline=""), delimiter=separator))
        assert [r[1] for r in rows[2:]] == [
            ctx.t.category("status", "loaded"),
            ctx.t.category("status", "refused"),
        ]
        assert "refused" not in [r[1] for r in rows[2:]] or lang == "en"
        cells = xlsx_cells(downloads.xlsx_bytes(frame, ctx))
        assert cells["B5"].value == ctx.t.category("status", "refused")
