"""A chart image carries its caption, data date and suppression note whole, inside the image.

The images are rendered by kaleido with Debian's chromium, as for a download, and then looked
at: the PNG's pixels (PIL), the SVG's text elements.
"""

from __future__ import annotations

import io
import re
from xml.etree import ElementTree

import polars as pl
import pytest
from PIL import Image

from werkpad import disclosure
from werkpad.rendering import charts
from werkpad.rendering.i18n import Translator

NL = Translator("nl", missing=disclosure.SYMBOL)
SVG = "{http://www.w3.org/2000/svg}"
WIDTH, HEIGHT = 1200, 700
# a funder's selection with many filters: far longer than one line of a 1200-pixel image
CAPTION = "\n".join(
    [
        "Filters: Provincie: Limburg, Antwerpen, Oost-Vlaanderen; Project: We Go To Work "
        "Limburg, We Go To Work Antwerpen, We Go To Work Oost-Vlaanderen; Toeleider: OCMW, "
        "Zorgpartner, Welzijnspartner, VDAB, GTB, Ziekenfonds; Gender: Vrouw, Man; "
        "Leeftijdsgroep: 18-24, 25-34, 35-44; Periode van eerste contact: 01/01/2022–31/12/2022.",
        "Gegevens tot 31/12/2023.",
        "x = weggelaten: aantallen onder 5, en aantallen waaruit die af te leiden zijn, worden "
        "niet getoond.",
    ]
)


@pytest.fixture(scope="module")
def figure():
    frame = pl.DataFrame({"step_type": ["ibo", "art60", "training"], "stepped": [120, None, 45]})
    return charts.bar(frame, "step_type", "stepped", NL, "Stappen naar werk", "Personen")


def _words(text: str) -> list[str]:
    return text.split()


def test_svg_caption_is_wrapped_whole_inside_the_image(figure):
    root = ElementTree.fromstring(charts.export_image(figure, "svg", CAPTION, WIDTH, HEIGHT))
    assert (root.get("width"), root.get("height")) == (str(WIDTH), str(HEIGHT))
    lines = [el for el in root.iter(f"{SVG}text") if "caption" in (el.get("class") or "")]
    assert len(lines) > len(CAPTION.splitlines())  # the long first paragraph wraps
    assert _words(" ".join(el.text or "" for el in lines)) == _words(CAPTION)  # nothing cut
    ys = [float(el.get("y")) for el in lines]
    assert ys == sorted(ys) and ys[0] > HEIGHT * 0.6 and ys[-1] < HEIGHT
    assert all(len(el.text or "") <= 170 for el in lines)


def test_png_caption_is_drawn_inside_the_bottom_margin(figure):
    image = Image.open(io.BytesIO(charts.export_image(figure, "png", CAPTION, WIDTH, HEIGHT)))
    assert image.size == (WIDTH, HEIGHT)
    grey = image.convert("L").tobytes()  # one byte a pixel, row after row

    def dark(x0: int, x1: int, y: int) -> bool:
        return min(grey[y * WIDTH + x0 : y * WIDTH + x1]) < 128

    dark_rows = [y for y in range(HEIGHT) if dark(0, WIDTH, y)]
    assert dark_rows[-1] > HEIGHT - 30  # the last caption line sits at the bottom ...
    assert dark_rows[-1] < HEIGHT - 2  # ... inside the image, with a margin
    band = range(HEIGHT - 110, HEIGHT)  # the caption's lines
    columns = [x for x in range(WIDTH) if any(dark(x, x + 1, y) for y in band)]
    assert columns[0] > 2 and columns[-1] < WIDTH - 5  # no line runs off either side


def test_image_without_caption_is_the_chart_alone(figure):
    svg = charts.export_image(figure, "svg", None, 600, 400).decode()
    assert 'width="600"' in svg[:300] and 'class="caption"' not in svg
    assert re.search(r"Stappen naar werk", svg)


def test_axis_labels_fit_whatever_the_processs_default_template(monkeypatch):
    """A served dashboard has Streamlit's plotly template as the process default, which has
    no automargin: downloaded images had their sector names cut to a letter and "25" read
    "5" (found in review). The export draws in the house template, so the plot area leaves
    room for the longest label."""
    import plotly.io as pio
    import streamlit.elements.plotly_chart  # noqa: F401  (registers Streamlit's template)

    monkeypatch.setattr(pio.templates, "default", "streamlit")
    frame = pl.DataFrame({"employer_sector": ["N", "F"], "placements": [91, 16]})
    fig = charts.bar(frame, "employer_sector", "placements", NL, "Plaatsingen per sector", "")
    svg = charts.export_image(fig, "svg").decode()
    plot_left = [int(float(x)) for x in re.findall(r'<rect x="([0-9.]+)" y="0" width', svg)]
    label = NL.category("employer_sector", "N")  # "N · Administratieve en ondersteunende ..."
    assert max(plot_left) > len(label) * 6  # the plot starts right of the whole label
