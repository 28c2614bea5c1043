"""The print view (issue #10 item 10): a dashboard page printed for a meeting, as chromium prints
it to an A4 PDF, holds the page's own content and nothing of the screen's controls, and
nothing is wider than the paper.

The PDF is read back with pypdf (its text) and drawn with pypdfium2 (its pixels). Chromium
clips what is wider than the printable width instead of drawing it into the margin, so besides
a blank right margin every chart text shown on the screen must be in the file.
"""

from __future__ import annotations

import io

import pypdf
import pypdfium2
import pytest

from dashboard.shell.page import PRINT_MARGIN_MM
from tests.e2e.test_accessibility import PAGES, settle, tab  # noqa: F401  (tab: the fixture)
from tests.e2e.test_browser import server  # noqa: F401  (the fixture: `werkpad serve --demo`)
from werkpad.rendering.i18n import Translator

t = Translator("nl")
# what only the screen has: filter and language labels of the sidebar, buttons (and the
# menu: the other pages' names)
SCREEN_ONLY = [
    t("filter.province"),
    "Taal · Langue · Language",
    "PNG",
    "Excel",
    t("report.button"),
    t("report.submit"),
    t("a11y.show_data"),
]
MM_PER_POINT = 25.4 / 72
WHITE = 245  # a pixel this light in every channel counts as blank paper (anti-aliasing aside)


# every text a chart draws on the screen (ticks, labels, legends, titles)
CHART_TEXTS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] svg text')]
  .filter((text) => text.getBoundingClientRect().width > 0)
  .map((text) => text.textContent.trim()).filter(Boolean)"""


def printed(page) -> bytes:
    return page.pdf(format="A4")


def squashed(text: str) -> str:
    return "".join(text.split())


def cut_off(page, pdf: bytes) -> list[str]:
    """Chart texts on the screen that the PDF lacks: a browser drops what falls outside the
    paper (and what a chart draws outside itself) from the file, not only from sight."""
    on_paper = squashed("".join(page_texts(pdf)))
    return [text for text in page.evaluate(CHART_TEXTS) if squashed(text) not in on_paper]


def page_texts(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def inked_in_right_margin(pdf: bytes) -> list[int]:
    """The (1-based) sheets with anything drawn in the right margin: what is wider than the
    printable width runs into it (or off the paper)."""
    document = pypdfium2.PdfDocument(pdf)
    inked = []
    for number in range(len(document)):
        image = document[number].render(scale=2).to_pil().convert("L")
        margin = round(PRINT_MARGIN_MM / MM_PER_POINT * 2 * 0.8)  # 80 % of it, at scale 2
        band = image.crop((image.width - margin, 0, image.width, image.height))
        if band.getextrema()[0] < WHITE:
            inked.append(number + 1)
    return inked


@pytest.mark.parametrize("path", list(PAGES))
def test_a_printed_page_is_its_content_on_a4(tab, server, path):  # noqa: F811
    title = t(f"nav.{PAGES[path]}")
    settle(tab, f"{server}/{path}", title)
    pdf = printed(tab)
    texts = page_texts(pdf)
    assert title in texts[0]  # the page starts on the first sheet, its title on it
    everything = "\n".join(texts)
    shown = [text for text in SCREEN_ONLY if text in everything]
    lines = {line.strip() for line in everything.splitlines()}  # a menu entry is a line
    shown += sorted(({t(f"nav.{name}") for name in PAGES.values()} - {title}) & lines)
    assert not shown, f"/{path} printed screen-only texts: {shown}"
    if path == "":
        assert t("metric.reached") in everything  # a KPI's label
        assert t("overview.funnel_title") in everything  # a chart's title: charts are printed
    assert inked_in_right_margin(pdf) == [], f"/{path}: wider than the paper"
    assert cut_off(tab, pdf) == [], f"/{path}: chart texts cut off"


def test_charts_drawn_on_a_wide_screen_fit_the_paper(tab, server):  # noqa: F811
    """Charts are drawn at the screen's width (1920 px here, two charts side by side on
    Reach); printed, they are scaled to the paper and none runs into the margin."""
    tab.set_viewport_size({"width": 1920, "height": 1080})
    try:
        settle(tab, f"{server}/reach", t("nav.reach"))
        pdf = printed(tab)
        missing = cut_off(tab, pdf)
    finally:
        tab.set_viewport_size({"width": 1440, "height": 1800})
    assert t("reach.by_province") in "\n".join(page_texts(pdf))
    assert inked_in_right_margin(pdf) == []
    assert missing == []
