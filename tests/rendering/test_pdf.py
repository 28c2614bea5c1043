"""The funder summary PDF, compiled for real by Typst and read back as a funder would get it.

Text is read with pypdf, pages are rendered to pixels with PDFium (pypdfium2), charts are real
plotly SVGs from werkpad.rendering.charts, texts are the real translations.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import unicodedata

import polars as pl
import pypdfium2 as pdfium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops
from pypdf import PdfReader

from werkpad import disclosure, metrics
from werkpad.contract import default_contract
from werkpad.rendering import charts
from werkpad.rendering.i18n import Translator
from werkpad.rendering.pdf import CHART_SIZE, Summary, SummaryError, compile_summary, summary_pdf

LANGS = ("nl", "fr", "en")
WITHHELD_METRIC = "sustained_3m"  # shown as the withheld symbol in every test summary
# The template's own texts; what werkpad.report_pack passes from its translations.
LABELS = {
    "nl": {"selection": "Selectie", "data_date": "Gegevens tot", "headline": "Kerncijfers",
           "projects": "Per project", "esf": "ESF+-indeling", "page": "pagina {n} / {total}",
           "targets": "Doelstellingen",
           "benefit": "Uitkering"},
    "fr": {"selection": "Sélection", "data_date": "Données au", "headline": "Chiffres clés",
           "projects": "Par projet", "esf": "Répartition FSE+", "page": "page {n} / {total}",
           "targets": "Objectifs",
           "benefit": "Allocation perçue"},
    "en": {"selection": "Selection", "data_date": "Data up to", "headline": "Headline figures",
           "projects": "By project", "esf": "ESF+ breakdown", "page": "page {n} / {total}",
           "targets": "Targets",
           "benefit": "Benefit status"},
}  # fmt: skip
SELECTION = {
    "nl": "Eerste contact van 01/01/2023 tot 31/12/2023; provincies Antwerpen en Limburg; "
    "doelgroep: alle; één café, garçon, naïef, è.",
    "fr": "Premier contact du 01/01/2023 au 31/12/2023 ; provinces d'Anvers et du Limbourg ; "
    "groupe cible : tous ; Élevé, façade, Noël, très.",
    "en": "First contact from 01/01/2023 to 31/12/2023; provinces Antwerp and Limburg; "
    "target group: all.",
}
PROJECTS = [
    "WGTW-ANT We Go To Work Antwerpen",
    "WGTW-GEN We Go To Work Gent",
    "WGTW-LIM We Go To Work Limburg",
    "WGTW-BRU We Go To Work Brussel",
    "WGTW-BRG We Go To Work Brugge",
]
MM = 72 / 25.4  # PDF points per millimetre
EDGE_MM = 8  # the outer band of the page that must stay blank: nothing printed to the edge
SCALE = 2  # render at 144 dpi
WHITE = 250  # a grey level at least this light counts as paper


def _svg(fig) -> str:
    """A chart as the report pack exports it, at the size the PDF expects."""
    width, height = CHART_SIZE
    return charts.export_image(fig, "svg", width=width, height=height).decode()


@pytest.fixture(scope="module")
def chart_svgs() -> dict[str, list[tuple[str, str]]]:
    """The funnel and the monthly trend per language, drawn by plotly (kaleido) as SVG."""
    found = {}
    months = [dt.date(2023, m, 1) for m in range(1, 13)]
    trend = pl.DataFrame({"month": months, "reached": [20, 31, 28, 40, 35, 44] * 2})
    for lang in LANGS:
        t = Translator(lang)
        counts = [412, 330, 260, 170, 90, 61]
        steps = [(t.metric(k), n) for k, n in zip(metrics.FUNNEL, counts, strict=True)]
        funnel_title, trend_title = t("overview.funnel_title"), t("overview.trend_title")
        funnel = charts.funnel(steps, t, funnel_title)
        axes = (t("axis.month"), t("axis.people"))
        line = charts.lines(trend, "month", "reached", t, trend_title, *axes)
        found[lang] = [(funnel_title, _svg(funnel)), (trend_title, _svg(line))]
    return found


def _headline(t: Translator) -> list[tuple[str, str, str]]:
    """The report's headline figures with their definitions; one of them withheld."""
    rows = []
    for i, key in enumerate(metrics.shown("report")):
        value = 0.656 if metrics.is_rate(key) else 1234 - 100 * i
        shown = (t.rate if metrics.is_rate(key) else t.count)(value)
        if key == WITHHELD_METRIC:
            shown = disclosure.SYMBOL
        rows.append((t.metric(key), shown, t(f"metric_help.{key}")))
    return rows


def _esf(t: Translator, benefit: str) -> list[tuple[str, str, str]]:
    """An ESF+ breakdown as long as the report pack's: every contract category, totals."""
    contract = default_contract()
    sections = {
        "gender": t("filter.gender"),
        "age_group": t("filter.age_group"),
        "education_level": t("filter.education_level"),
        "benefit_status": benefit,
        "step_type": t.metric("stepped"),
        "job_circuit": t.metric("job_started"),
    }
    rows = []
    for column, label in sections.items():
        for i, category in enumerate(contract.categories(column)):
            shown = disclosure.SYMBOL if i == 2 else t.count(10 + 7 * i)
            rows.append((label, t.category(column, category), shown))
        rows.append((label, t.metric("reached"), t.count(412)))
    rows += [
        (t("filter.target_group"), t.category("target_group", flag), t.count(40))
        for flag in contract.target_groups
    ]
    return rows


def _summary(lang: str, charts_svg: list[tuple[str, str]]) -> Summary:
    """A typical summary: 9 headline figures, 5 projects, 12 targets (the demo site's),
    ~40 ESF+ rows, 2 charts."""
    t = Translator(lang)
    header = [t("column.project_code"), *(t.metric(k) for k in ("reached", "decided", "stepped"))]
    return Summary(
        lang=lang,
        title=f"{t('report.title')} We Go To Work",
        programme="We Go To Work — " + ", ".join(PROJECTS[:2]),
        selection=SELECTION[lang],
        data_date=t.date(dt.date(2023, 12, 31)),
        vintage={"nl": "huidige gegevens", "fr": "données actuelles", "en": "current data"}[lang],
        headline=_headline(t),
        projects_header=[*header, t.metric("step_rate")],
        projects=[
            [name, t.count(400 - 50 * i), t.count(200 - 20 * i), disclosure.SYMBOL, t.rate(0.65)]
            for i, name in enumerate(PROJECTS)
        ],
        esf=_esf(t, LABELS[lang]["benefit"]),
        charts=charts_svg,
        note=t("access.suppressed_note", symbol=disclosure.SYMBOL, threshold=10),
        labels=LABELS[lang],
        targets_header=[t(f"targets.pdf.{k}") for k in
                        ("target_of", "period", "target", "actual", "expected", "share", "status")],
        targets=[
            [f"{name[:12]} · {t.metric(metric)}", "2021–2023", t.count(1250), t.count(926),
             t.count(1250), t.rate(0.741), t(f"targets.status.{status}")]
            for name in PROJECTS
            for metric, status in (("reached", "behind"), ("job_started", "on_track"),
                                   ("step_rate", "above"))
        ][:12],
    )  # fmt: skip


@pytest.fixture(scope="module")
def summaries(chart_svgs) -> dict[str, Summary]:
    return {lang: _summary(lang, chart_svgs[lang]) for lang in LANGS}


@pytest.fixture(scope="module")
def compiled(summaries) -> dict[str, tuple[bytes, list[str]]]:
    return {lang: compile_summary(s) for lang, s in summaries.items()}


def _flat(text: str) -> str:
    """Text with its line breaks and spacing gone: the layout wraps, the words stay."""
    text = unicodedata.normalize("NFKC", text).replace("\u200b", "")
    return "".join(text.split())


def _pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _render(pdf: bytes) -> list[Image.Image]:
    """Every page as pixels, rendered by PDFium as a viewer or a printer would."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=SCALE).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


@pytest.mark.parametrize("lang", LANGS)
def test_fits_two_pages_with_title_and_language(compiled, summaries, lang):
    """The typical summary fits two A4 pages, names itself and its language, warns of nothing
    (no missing font, no unreadable image)."""
    pdf, warnings = compiled[lang]
    reader = PdfReader(io.BytesIO(pdf))
    assert 1 <= len(reader.pages) <= 2
    assert warnings == []
    assert reader.metadata is not None and reader.metadata.title == summaries[lang].title
    assert reader.trailer["/Root"]["/Lang"] == lang
    for page in reader.pages:
        assert [round(float(v) / MM) for v in page.mediabox[2:]] == [210, 297]


def _fonts(reader: PdfReader) -> list[dict]:
    """The font descriptors of every font the pages use (Type0 fonts: their descendant's)."""
    found = []
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            for part in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                if "/FontDescriptor" in part:
                    found.append(part["/FontDescriptor"].get_object())
    return found


def test_every_font_is_embedded(compiled):
    """The PDF carries its fonts (Typst's own): it looks the same on every reader's machine."""
    descriptors = _fonts(PdfReader(io.BytesIO(compiled["fr"][0])))
    assert descriptors
    for descriptor in descriptors:
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), descriptor


@pytest.mark.parametrize("lang", LANGS)
def test_every_text_is_in_the_pdf(compiled, summaries, lang):
    """Programme, selection, data date, every figure with its label and definition, the
    projects, the ESF+ rows, the note and both page numbers: nothing dropped or cut off."""
    s = summaries[lang]
    pages = _pages_text(compiled[lang][0])
    text = _flat(" ".join(pages))
    expected = [s.programme, s.selection, s.data_date, s.vintage, s.note]
    expected += [part for row in s.headline for part in row]
    expected += [cell for row in s.projects for cell in row] + s.projects_header
    expected += [caption for caption, _ in s.charts]
    expected += [label for _, label, _ in s.esf]
    missing = [e for e in expected if _flat(e) not in text]
    assert missing == []
    for number, page in enumerate(pages, start=1):
        shown = s.labels["page"].format(n=number, total=len(pages))
        assert _flat(shown) in _flat(page)


@pytest.mark.parametrize("lang", LANGS)
def test_withheld_figure_shows_the_symbol(compiled, summaries, lang):
    """A withheld headline figure shows the symbol in its own card, above its label."""
    label = next(label for label, value, _ in summaries[lang].headline if value == "x")
    first_page = " ".join(_pages_text(compiled[lang][0])[0].split())
    assert f" {disclosure.SYMBOL} {label} " in first_page


MARKUP = [
    '#import "x": *',
    "$x$",
    "*bold*",
    "_emph_",
    "]",
    "[",
    "<label>",
    "@ref",
    "\\",
    "\\\\n",
    '#panic("boom")',
    "// not a comment",
    "/* nor this */",
    "`raw`",
    "= not a heading",
    "- not a list",
    "{n} {total}",
    "--- ... ~",
    "\"quoted\" and 'single'",
    "#{1 + 1}",
    "#let x = 1",
]


def test_markup_in_data_is_shown_as_written(summaries):
    """Typst syntax in a programme name, a selection or a label is text, not code."""
    markup = " ".join(MARKUP)
    s = dataclasses.replace(
        summaries["en"],
        title=markup,
        programme=markup,
        selection=markup[::-1],
        labels={**summaries["en"].labels, "headline": markup, "esf": "]" + markup},
    )
    pdf, warnings = compile_summary(s)
    text = _flat(" ".join(_pages_text(pdf)))
    assert warnings == []
    assert text.count(_flat(markup)) >= 4  # title, programme, heading, footer
    assert _flat(markup[::-1]) in text and _flat("]" + markup) in text
    assert PdfReader(io.BytesIO(pdf)).metadata.title == markup


# Latin letters with their accents, digits, punctuation and symbols, and Typst's own syntax
# characters and words; no control or invisible characters (they print nothing).
TEXT = (
    st.lists(
        st.one_of(
            st.characters(
                min_codepoint=0x20,
                max_codepoint=0x17F,
                exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp", "Mn"),
            ),
            st.sampled_from(list("#$*_[]<>@\\`\"'~=-/{}()")),
            st.sampled_from(MARKUP),
        ),
        min_size=1,
        max_size=40,
    )
    .map("".join)
    .filter(lambda s: s.strip())
)


@settings(max_examples=25, deadline=None)
@given(programme=TEXT, selection=TEXT, heading=TEXT, figure=TEXT)
def test_any_text_survives_literally(summaries, programme, selection, heading, figure):
    """Whatever the programme, selection, a heading or a figure's label says, the PDF shows
    exactly that, and it stays inside the page."""
    base = summaries["nl"]
    s = dataclasses.replace(
        base,
        programme=programme,
        selection=selection,
        headline=[*base.headline[:-1], (figure, "12", "definitie")],  # the right-hand card
        labels={**base.labels, "headline": heading},
        charts=[],
    )
    pdf = summary_pdf(s)
    text = _flat(" ".join(_pages_text(pdf)))
    for value in (programme, selection, heading, figure):
        assert _flat(value) in text
    for page in _render(pdf):
        assert _edge_is_blank(page)


def _edge_is_blank(page: Image.Image) -> bool:
    """Nothing drawn within EDGE_MM of the sheet's edge (it would be cut off in print)."""
    band = round(EDGE_MM * MM * SCALE)
    width, height = page.size
    grey = page.convert("L")
    strips = [
        (0, 0, width, band),
        (0, height - band, width, height),
        (0, 0, band, height),
        (width - band, 0, width, height),
    ]
    return all(grey.crop(box).getextrema()[0] >= WHITE for box in strips)


@pytest.mark.parametrize("lang", LANGS)
def test_nothing_reaches_the_page_edge(compiled, lang):
    pages = _render(compiled[lang][0])
    assert [_edge_is_blank(page) for page in pages] == [True] * len(pages)


def test_long_words_wrap_inside_the_page(summaries):
    """A word wider than its box (a code, a web address) in a name, a label or a definition
    breaks instead of leaving the page."""
    word = "https://example.org/" + "WERKPAD" * 12
    base = summaries["nl"]
    s = dataclasses.replace(
        base,
        programme=word,
        headline=[*base.headline[:-1], (word, "12", word)],  # the right-hand card
        projects=[[word, *row[1:]] for row in base.projects],
        esf=[(word, word, "12"), *base.esf],
    )
    pdf, warnings = compile_summary(s)
    pages = _render(pdf)
    assert warnings == []
    assert [_edge_is_blank(page) for page in pages] == [True] * len(pages)
    # programme (title block, top of page 2), 2 in the card, 5 projects, 2 in the ESF+
    assert _flat(" ".join(_pages_text(pdf))).count(_flat(word)) >= 2 + 2 + 5 + 2


def _ink(image: Image.Image) -> int:
    """How many pixels are not paper."""
    return sum(image.convert("L").histogram()[:WHITE])


def test_charts_are_drawn(compiled, summaries):
    """The charts fill the space the summary without charts leaves blank: left and right
    each hold a drawn chart, in the funnel's own colours."""
    with_charts = _render(compiled["nl"][0])[0]
    without = _render(compile_summary(dataclasses.replace(summaries["nl"], charts=[]))[0])[0]
    box = ImageChops.difference(with_charts, without).getbbox()
    assert box is not None
    left, top, right, bottom = box
    middle = with_charts.width // 2
    for half in ((left, top, middle, bottom), (middle, top, right, bottom)):
        area = (half[2] - half[0]) * (half[3] - half[1])
        assert _ink(with_charts.crop(half)) > 0.03 * area
        assert _ink(without.crop(half)) == 0
    orange = charts.OKABE_ITO[1].lstrip("#")  # the funnel's second step
    rgb = tuple(int(orange[i : i + 2], 16) for i in (0, 2, 4))
    pixels = with_charts.crop(box).get_flattened_data()
    assert sum(1 for p in pixels if all(abs(a - b) < 8 for a, b in zip(p, rgb, strict=True))) > 500


def test_sections_keep_their_order_in_balanced_columns(summaries):
    """The ESF+ sections in three columns, in reading order, none much taller than needed."""
    from werkpad.rendering.pdf import _esf_columns, _esf_sections

    sections = _esf_sections(summaries["nl"].esf)
    columns = _esf_columns(sections)
    assert len(columns) == 3
    assert [s for column in columns for s in column] == sections
    heights = [sum(len(s["rows"]) + 2 for s in column) for column in columns]
    assert max(heights) - min(heights) <= max(len(s["rows"]) for s in sections) + 2


@pytest.mark.parametrize(
    "change, message",
    [
        ({"lang": "de"}, "language"),
        ({"labels": {"headline": "Kerncijfers"}}, "labels missing"),
        ({"projects": [["only one cell"]]}, "one cell per header"),
    ],
)
def test_an_unusable_summary_is_refused_plainly(summaries, change, message):
    with pytest.raises(SummaryError, match=message):
        summary_pdf(dataclasses.replace(summaries["nl"], **change))


def test_labels_do_not_leak_format_fields(compiled):
    """The page pattern's {n} and {total} are filled in on every page."""
    text = " ".join(_pages_text(compiled["nl"][0]))
    assert not re.search(r"\{(n|total)\}", text)
