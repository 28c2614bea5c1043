"""Text from partners' files is shown as text in a real browser: a file name or reason written
as Markdown (an image, a link, emphasis) neither loads anything nor becomes a link.

The warehouse's bookkeeping gets a refused file whose name, reason and report are hostile
Markdown pointing at a loopback web server that records every request; the Data quality page
is opened in chromium and must show the text literally and make no request to it.
"""

from __future__ import annotations

import http.server
import shutil
import threading

import duckdb
import pytest
from playwright.sync_api import expect, sync_playwright

from tests.e2e.test_browser import CHROMIUM, _serve

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


@pytest.fixture
def recorder():
    """A loopback web server that records the paths asked of it."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the stdlib's name)
            asked.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", asked
    server.shutdown()


def test_hostile_names_reasons_and_reports_are_shown_as_text(tmp_path, loaded, recorder):
    base, asked = recorder
    name = f"![x]({base}/name.png) [click]({base}/link) **bold** :red[red] <img src={base}/h>"
    reason = f"![y]({base}/reason.png) *rule* [more]({base}/more) `code`"
    report = tmp_path / "hostile.report.md"
    report.write_text(f"# Report\n\n![z]({base}/report.png)\n[go]({base}/go)\n")
    live = tmp_path / "warehouse.duckdb"
    shutil.copyfile(loaded[0] / "warehouse.duckdb", live)
    con = duckdb.connect(str(live))
    con.execute(
        "INSERT INTO ops.run_files (run_id, file_name, project_code, status, reasons, "
        "report_path, ended_at) VALUES ('hostile', ?, 'WGTW-LIM', 'refused', [?], ?, "
        "TIMESTAMP '2099-01-01')",
        [name, reason, str(report)],
    )
    con.close()
    process, url = _serve(live, "--demo")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page()
            page.goto(f"{url}/data_quality")
            expander = page.get_by_test_id("stExpander").first
            expect(expander).to_contain_text("bold** :red[red]", timeout=60_000)
            label = expander.locator("summary").inner_text().replace("\u2060", "")
            assert f"{name} (Geweigerd)" in label  # the same characters, no link
            expander.click()
            expect(expander).to_contain_text(name)
            expect(expander).to_contain_text(reason)
            expect(expander).to_contain_text(f"![z]({base}/report.png)")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1_000)
            assert page.locator(f"img[src^='{base}'], a[href^='{base}']").count() == 0
            assert page.get_by_test_id("stException").count() == 0
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert asked == []
