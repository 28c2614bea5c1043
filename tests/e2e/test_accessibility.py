"""Accessibility and Belgian numbers in a real browser on the demo server (issue #10 items 8, 10).

axe-core (axe-playwright-python injects the copy its wheel ships) checks every page in every
language and must find no serious or critical violation; `<html lang>` follows the language;
chart text reaches 4.5:1 (axe does not look inside a chart's SVG, so the test measures it);
every chart has its table alternative; and no request leaves the server, for fonts, icons or
anything else.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.test_browser import (  # noqa: F401  (fixtures: `werkpad serve --demo`, with sign-in)
    CHROMIUM,
    secured,
    server,
)
from werkpad.access import OPERATIONAL_PAGES
from werkpad.rendering.i18n import LANGUAGES, Translator

# url path -> the page's name in nav.*: every page a demo user (steering) sees
PAGES = {
    "": "overview",
    "reach": "reach",
    "conversion": "conversion",
    "referral": "referral",
    "outcomes": "outcomes",
    "data_quality": "data_quality",
    "revisions": "revisions",
}
FAILING_IMPACTS = {"serious", "critical"}
MINIMUM_CONTRAST = 4.5  # WCAG 2.1 AA for normal text

# Violations inside Streamlit's own widgets that the app cannot fix, one rule and one
# selector each (never a whole rule):
EXCLUDED: dict[str, tuple[str, ...]] = {}


# every text a chart draws (ticks, labels beside bars, legends, annotations)
CHART_TEXTS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] svg text')]
  .map((text) => text.textContent.trim()).filter(Boolean)"""
# Numbers as nl and fr readers would not write them: a comma before three digits at the end
# of a number (an English thousands separator), a point before one or two digits (an English
# decimal), a percent sign glued to its number (but "95%-interval", Dutch spelling of a
# compound), four or more digits with no separator.
NOT_BELGIAN = {
    "nl": re.compile(r"\d,\d{3}(?!\d)|\d\.\d{1,2}(?!\d)|\d%(?!-)|(?<!\d)\d{4,}"),
    "fr": re.compile(r"\d,\d{3}(?!\d)|\d\.\d{1,2}(?!\d)|\d%|(?<!\d)\d{4,}"),
    "en": re.compile(r"\d\.\d{3}(?!\d)|\d,\d{1,2}(?!\d)|(?<!\d)\d{4,}"),
}
YEAR = re.compile(r"^(?:\D*\s)?(?:19|20)\d\d$|\b(?:19|20)\d\d\b")  # 2023 is a year, not a count


def unbelgian_numbers(texts: list[str], lang: str) -> list[str]:
    """Chart texts holding a number written in another convention than the language's."""
    return [text for text in texts if NOT_BELGIAN[lang].search(YEAR.sub("", text))]


def test_the_number_check_catches_plotly_defaults():
    """The check itself: plotly's defaults fail it, Belgian numbers pass."""
    assert unbelgian_numbers(["4800", "1,234", "78%", "65.0%"], "nl") == [
        "4800", "1,234", "78%", "65.0%",
    ]  # fmt: skip
    assert unbelgian_numbers(["4.800", "65,0 %", "1.234 (65,0 %)", "jan 2023"], "nl") == []
    assert unbelgian_numbers(["4\u202f800", "65,0 %", "janv. 2023"], "fr") == []
    assert unbelgian_numbers(["4,800", "65.0 %", "Jan 2023"], "en") == []
    assert unbelgian_numbers(["4.800"], "en") == ["4.800"]


@pytest.fixture(scope="module")
def tab():
    """One chromium tab (Debian's chromium, never a downloaded one) for the module."""
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-sync", "--disable-background-networking",
                  "--disable-component-update"],
        )  # fmt: skip
        yield browser.new_context(viewport={"width": 1440, "height": 1800}).new_page()
        browser.close()


def settle(page: Page, url: str, title: str) -> None:
    """Open url and wait until the script has finished and every chart is drawn."""
    page.goto(url)
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=60_000)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    # each chart comes with its "show the data" expander: wait until as many charts are drawn
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                   .filter((chart) => chart.querySelector('.main-svg')).length
                 === document.querySelectorAll('[class*="st-key-show-data-"]').length"""
    )
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("stException").count() == 0, url


def _excluded(rule: str, target: list) -> bool:
    return any(part in str(target) for part in EXCLUDED.get(rule, ()))


def serious_violations(page: Page) -> list[str]:
    """Each serious or critical axe finding as 'rule impact target: summary'."""
    found = []
    for violation in Axe().run(page).response["violations"]:
        for node in violation["nodes"]:
            if node.get("impact") in FAILING_IMPACTS and not _excluded(
                violation["id"], node["target"]
            ):
                summary = (node.get("failureSummary") or "").replace("\n", " ")[:200]
                found.append(f"{violation['id']} {node['impact']} {node['target']}: {summary}")
    return found


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_no_serious_accessibility_violation_on_any_page(tab, server, lang):  # noqa: F811
    t = Translator(lang)
    found = []
    for path, name in PAGES.items():
        settle(tab, f"{server}/{path}?lang={lang}", t(f"nav.{name}"))
        found += [f"/{path}: {finding}" for finding in serious_violations(tab)]
        texts = tab.evaluate(CHART_TEXTS)
        found += [f"/{path}: {x!r} is not {lang} notation" for x in unbelgian_numbers(texts, lang)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_html_lang_follows_the_dashboard_language(tab, server, lang):  # noqa: F811
    settle(tab, f"{server}/reach?lang={lang}", Translator(lang)("nav.reach"))
    expect(tab.locator("html")).to_have_attribute("lang", lang)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_sign_in_page_is_in_its_language_and_accessible(tab, secured, lang):  # noqa: F811
    """Signed out, the form is in the language chosen, and so is `<html lang>`."""
    tab.goto(f"{secured}/?lang={lang}")
    t = Translator(lang)
    expect(tab.get_by_role("heading", name=t("access.title"))).to_be_visible(timeout=60_000)
    expect(tab.locator("html")).to_have_attribute("lang", lang)
    found = serious_violations(tab)
    assert not found, "\n".join(found)


# Every text of every chart, with the colour it is drawn in and the colour under it: the fill
# of the mark it sits inside (a funnel's bar), else the white paper.
CHART_TEXT_CONTRAST = """() => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = c.map((v) => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05); };
  const within = (a, b) => a.left >= b.left - 1 && a.right <= b.right + 1
    && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
  const found = [];
  for (const text of document.querySelectorAll('[data-testid="stPlotlyChart"] svg text')) {
    const box = text.getBoundingClientRect();
    if (!text.textContent.trim() || box.width === 0) continue;
    let under = [255, 255, 255];
    const mark = text.closest('g.point, g.trace, g.node');
    if (mark) for (const shape of mark.querySelectorAll('path, rect')) {
      const fill = getComputedStyle(shape).fill;
      if (fill && fill !== 'none' && within(box, shape.getBoundingClientRect())) under = rgb(fill);
    }
    found.push([text.textContent.slice(0, 40), ratio(rgb(getComputedStyle(text).fill), under)]);
  }
  return found;
}"""


def test_chart_text_is_readable(tab, server):  # noqa: F811
    """Streamlit draws charts in its own theme's grey (3.7:1); ours must reach 4.5:1."""
    t = Translator("nl")
    low = []
    for path, name in PAGES.items():
        settle(tab, f"{server}/{path}", t(f"nav.{name}"))
        texts = tab.evaluate(CHART_TEXT_CONTRAST)
        assert texts or name in OPERATIONAL_PAGES, f"/{path}: no chart text found"
        low += [f"/{path} {text!r}: {r:.2f}" for text, r in texts if r < MINIMUM_CONTRAST]
    assert not low, "\n".join(low)


def test_every_chart_has_its_data_as_a_table(tab, server):  # noqa: F811
    t = Translator("nl")
    settle(tab, f"{server}/reach", t("nav.reach"))
    charts = tab.get_by_test_id("stPlotlyChart")
    alternatives = tab.get_by_test_id("stExpander").filter(has_text=t("a11y.show_data"))
    assert charts.count() > 1
    expect(alternatives).to_have_count(charts.count())
    assert tab.get_by_test_id("stDataFrame").count() == 0  # built only when opened
    first = alternatives.first
    first.locator("summary").click()
    table = first.get_by_test_id("stDataFrame")
    expect(table).to_be_visible(timeout=30_000)
    # named after its chart; columns and provinces in words (the grid's own accessible table)
    expect(first.get_by_role("region", name=t("reach.by_province"))).to_be_attached()
    expect(table.locator("th[role=columnheader]").first).to_have_text(t("column.province_code"))
    expect(table.locator("td[role=gridcell]", has_text="Antwerpen")).to_have_count(1)
    found = serious_violations(tab)
    assert not found, "\n".join(found)


def test_no_request_leaves_the_server(tab, server):  # noqa: F811
    """Not for the favicon (Streamlit fetches a Material Symbols page icon from a font
    server), fonts or anything else: every request of every page goes to the server."""
    asked: list[str] = []

    def record(request) -> None:
        asked.append(request.url)

    tab.on("request", record)
    try:
        for lang in LANGUAGES:
            t = Translator(lang)
            for path, name in PAGES.items():
                settle(tab, f"{server}/{path}?lang={lang}", t(f"nav.{name}"))
        tab.wait_for_timeout(1_000)
    finally:
        tab.remove_listener("request", record)
    ours = urlsplit(server).netloc
    elsewhere = sorted({u for u in asked if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                        and urlsplit(u).netloc != ours})  # fmt: skip
    assert asked and not elsewhere, elsewhere
    icon = tab.locator("link[rel~='icon']").first.get_attribute("href") or ""
    assert icon.startswith("data:image/svg+xml"), icon[:80]
