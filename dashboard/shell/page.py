"""What every page's document carries besides its content: a local favicon, the language of the
page for screen readers and hyphenation, and a print view for meetings.

Streamlit has no API for `<html lang>`: a tiny script sets it from our own language code (a
constant, json.dumps-quoted; no user text ever goes into it). The print view is CSS, but for
scaling the charts to the paper's width just before printing.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

# The browser tab's icon, shipped in the package and sent inline (a data: URL): a Material
# Symbols name as page_icon makes every browser fetch the icon from a third-party font server,
# which fails offline and tells that server who uses the dashboard.
FAVICON = Path(__file__).with_name("favicon.svg")

# Printed for a meeting: only the page's own content, on A4. Streamlit's app is a fixed-height
# scrolling box (only the first screen would print), so the boxes around the content are
# let out to their full height; what only works on a screen (sidebar, header and toolbar,
# buttons, downloads, chart toolbars, the "show the data" expanders) is left out; the page's
# content starts on a fresh sheet, and no chart or figure is split over two.
PAGE_WIDTH_MM, PRINT_MARGIN_MM = 210, 12  # A4; a margin every office printer can print
PRINT_CSS = f"""
@media print {{
  @page {{ size: A4; margin: {PRINT_MARGIN_MM}mm; }}
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], [data-testid="stBottom"],
  [data-testid="stButton"], [data-testid="stDownloadButton"], [data-testid="stButtonGroup"],
  [data-testid="stPopover"],
  [data-testid="stElementToolbar"], .modebar-container, [class*="st-key-show-data-"] {{
    display: none !important;
  }}
  html, body, #root, [data-testid="stApp"], [data-testid="stAppViewContainer"],
  [data-testid="stMain"], [data-testid="stMainBlockContainer"] {{
    height: auto !important; min-height: 0 !important; overflow: visible !important;
    position: static !important;
  }}
  [data-testid="stMain"] {{ margin: 0 !important; width: 100% !important; }}
  [data-testid="stMainBlockContainer"] {{
    max-width: 100% !important; width: 100% !important; padding: 0 !important;
    break-before: page;
  }}
  [data-testid="stPlotlyChart"], [data-testid="stMetric"] {{ break-inside: avoid; }}
}}
"""
# Charts and tables are drawn in pixels at the screen's width, and no browser redraws them
# for paper: just before printing they are scaled down by the paper's printable width over
# the content's width on screen (a chart in a half-width column stays half the page wide),
# with a little room for the gaps between columns, and back after. CSS alone cannot: the
# scale depends on the width they were drawn at.
PRINT_WIDTH_PX = (PAGE_WIDTH_MM - 2 * PRINT_MARGIN_MM) / 25.4 * 96
FIT_TO_PAPER = f"""
if (!window.werkpadFitToPaper) {{
  window.werkpadFitToPaper = true;
  const drawn = () => document.querySelectorAll(
    '[data-testid="stPlotlyChart"], [data-testid="stDataFrame"]');
  addEventListener("beforeprint", () => {{
    const content = document.querySelector('[data-testid="stMainBlockContainer"]');
    if (!content) return;
    const style = getComputedStyle(content);
    const width = content.clientWidth - parseFloat(style.paddingLeft)
      - parseFloat(style.paddingRight);
    const scale = 0.97 * {PRINT_WIDTH_PX:.0f} / width;
    if (scale < 1) drawn().forEach((element) => {{ element.style.zoom = scale; }});
  }});
  addEventListener("afterprint", () => drawn().forEach((element) => {{
    element.style.zoom = "";
  }}));
}}
"""


# The menu's links are bare page paths: Streamlit keeps the filters when a link is clicked,
# but one opened in a new tab, or copied, lost them and the chosen vintage (found in review).
# Just before a link can be followed outside the app (pointed at, focused, pressed), its
# query becomes the shell's parameters of the current URL.
CARRY_FILTERS = """
if (!window.werkpadCarryFilters) {
  window.werkpadCarryFilters = true;
  const carry = (event) => {
    const link = event.target instanceof Element
      && event.target.closest('a[data-testid="stSidebarNavLink"]');
    if (!link) return;
    const kept = new URLSearchParams();
    for (const [key, value] of new URLSearchParams(location.search)) {
      if (SHELL_PARAMS.includes(key)) kept.append(key, value);
    }
    const query = kept.toString();
    link.search = query ? "?" + query : "";
  };
  for (const type of ["pointerover", "focusin", "pointerdown", "contextmenu"]) {
    document.addEventListener(type, carry, true);
  }
}
"""


def document_script(lang: str, params: tuple[str, ...]) -> None:
    """`<html lang>` in the dashboard's language (a screen reader reads Dutch as Dutch),
    charts fitted to the paper when printed, and menu links that carry the shell's URL
    `params` (constants of the code, json.dumps-quoted; no user text). In the sidebar, where
    an element with no height takes no visible room."""
    script = f"const SHELL_PARAMS = {json.dumps(list(params))};{CARRY_FILTERS}"
    st.sidebar.html(
        f"<script>document.documentElement.lang = {json.dumps(lang)};{FIT_TO_PAPER}"
        f"{{{script}}}</script>",
        unsafe_allow_javascript=True,
    )


def print_view() -> None:
    """The print stylesheet (style only: Streamlit puts it where it takes no room)."""
    st.html(f"<style>{PRINT_CSS}</style>")
