"""What a real `werkpad serve` shows to anyone: no metrics endpoint, no error details, and no
error when several people open it at once on a cold server."""

from __future__ import annotations

import os
import subprocess
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.e2e.test_browser import CHROMIUM, _free_port, _serve
from werkpad.cli import _streamlit_command

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


def _get(url: str, accept: str = "*/*") -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:  # not listening yet
        return 0, b""


def test_no_metrics_and_five_cold_sessions_without_an_error(loaded):
    process, url = _serve(loaded[0] / "warehouse.duckdb", "--demo")
    try:
        with sync_playwright() as p:  # five sessions at once, the first ones this server sees
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            pages = [browser.new_page() for _ in range(5)]
            for page in pages:
                page.goto(url, wait_until="commit")
            for page in pages:
                heading = page.get_by_role("heading", name="Overzicht", exact=True)
                expect(heading).to_be_visible(timeout=120_000)
                expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=60_000)
                assert page.get_by_test_id("stException").count() == 0
            browser.close()
        for accept in ("*/*", "application/x-protobuf"):
            status, body = _get(f"{url}/_stcore/metrics", accept)
            assert status == 404 and b"session" not in body and b"# TYPE" not in body
        assert _get(f"{url}/_stcore/health") == (200, b"ok")
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_an_error_in_a_page_shows_no_details(tmp_path):
    # the very command `werkpad serve` runs, with a script in place of the app that fails
    script = tmp_path / "failing.py"
    script.write_text(
        "import streamlit as st\n"
        "st.title('Failing page')\n"
        "raise ValueError('secret detail at /srv/werkpad/private.py')\n"
    )
    port = _free_port()
    command = _streamlit_command(tmp_path / "w.duckdb", "127.0.0.1", port)
    command[command.index(str(_app()))] = str(script)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL)
    try:
        _wait_for(f"http://127.0.0.1:{port}", process)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}")
            expect(page.get_by_role("heading", name="Failing page")).to_be_visible(timeout=60_000)
            shown = page.get_by_test_id("stException")
            expect(shown).to_be_visible(timeout=30_000)  # something went wrong: that is all
            text = page.locator("body").inner_text()
            for detail in ("secret detail", "/srv/werkpad", "ValueError", "Traceback", "raise"):
                assert detail not in text
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)


def _app():
    from dashboard import APP

    return APP


def _wait_for(url: str, process: subprocess.Popen) -> None:
    import time

    deadline = time.time() + 60
    while time.time() < deadline:
        if _get(f"{url}/_stcore/health")[0] == 200:
            return
        assert process.poll() is None, "the server stopped"
        time.sleep(0.5)
    pytest.fail("the server did not come up")
