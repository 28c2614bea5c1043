"""A real server and a real browser see a newly published warehouse: `werkpad serve` keeps
running while a load swaps a changed warehouse file in (os.replace, as the loader publishes).

A new browser session shows the new figure, and a session that was open before the swap shows
it after one rerun (here: switching the language), with no error on either page.
"""

from __future__ import annotations

import shutil

from playwright.sync_api import Page, expect, sync_playwright

from tests.dashboard.test_reload import publish_without
from tests.e2e.test_browser import CHROMIUM, _serve
from werkpad import metrics
from werkpad.warehouse import connect_read_only

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


def _reached(page: Page, label: str, count: int, separator: str = ".") -> None:
    metric = page.get_by_test_id("stMetric").filter(has_text=label)
    expect(metric).to_contain_text(f"{count:,}".replace(",", separator), timeout=60_000)
    assert page.get_by_test_id("stException").count() == 0


def _reached_in(warehouse) -> int:
    con = connect_read_only(warehouse)
    try:
        return metrics.compute(con)[0]["reached"]
    finally:
        con.close()


def test_open_and_new_sessions_see_a_published_load(tmp_path, loaded):
    live = tmp_path / "warehouse.duckdb"
    shutil.copyfile(loaded[0] / "warehouse.duckdb", live)
    total = _reached_in(live)
    process, url = _serve(live, "--demo")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            before = browser.new_page()
            before.goto(url)
            _reached(before, "Bereikte personen", total)
            publish_without(live, "WGTW-LIM")
            fewer = _reached_in(live)
            assert 0 < fewer < total
            after = browser.new_page()
            after.goto(url)
            _reached(after, "Bereikte personen", fewer)
            before.get_by_test_id("stButtonGroup").get_by_text("EN", exact=True).click()
            expect(before.get_by_role("heading", name="Overview")).to_be_visible(timeout=60_000)
            _reached(before, "People reached", fewer, ",")
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
