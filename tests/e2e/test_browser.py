"""A real browser on a real server: `werkpad serve` on loopback, Debian's chromium via Playwright.

Opens every page, changes a filter and the language through the UI, downloads a chart as PNG
and SVG and checks the files. Screenshots go to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import polars as pl
import pytest
from playwright.sync_api import Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.identity_provider import CLIENT_ID, CLIENT_SECRET, IdentityProvider
from werkpad.access import User, UserFile, hash_password
from werkpad.config import CHECKOUT_DIR

PASSWORD = "correct horse battery staple"

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = CHECKOUT_DIR / "test-artifacts"
PAGES = {
    "": "Overzicht",
    "reach": "Bereik",
    "conversion": "Doorstroom",
    "referral": "Toeleiders",
    "outcomes": "Resultaten",
    "data_quality": "Datakwaliteit",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(
    warehouse: Path, *extra: str, env: dict | None = None, cwd: Path | None = None, port=None
):
    port = port or _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "werkpad.cli",
            "serve",
            "--warehouse",
            str(warehouse),
            "--port",
            str(port),
            *extra,
        ],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("werkpad serve did not come up")
    return process, url


@pytest.fixture(scope="module")
def server(loaded):
    """`werkpad serve --demo` on a free loopback port, on the loaded sample warehouse."""
    process, url = _serve(loaded[0] / "warehouse.duckdb", "--demo")
    yield url
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def secured(loaded, tmp_path_factory):
    """`werkpad serve` with sign-in, and a user file holding one steering member."""
    users = tmp_path_factory.mktemp("users") / "users.json"
    UserFile(users).add(User("anna", "steering", password_hash=hash_password(PASSWORD)))
    env = {k: v for k, v in os.environ.items() if k != "WERKPAD_DEMO"}
    process, url = _serve(loaded[0] / "warehouse.duckdb", env=env | {"WERKPAD_USERS": str(users)})
    yield url
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def page(server):
    assert os.path.exists(CHROMIUM), "Debian's chromium is required (.ci/run installs it)"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(
            viewport={"width": 1440, "height": 1800}, accept_downloads=True
        )
        yield context.new_page()
        browser.close()


def _open(page: Page, url: str, title: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=60_000)
    page.wait_for_load_state("networkidle")
    shown = page.get_by_test_id("stException")
    assert shown.count() == 0, f"{url}: {shown.first.inner_text()[:2000]}"


def _choose(page: Page, box: str, option: str) -> None:
    """Open a multiselect and pick an option; a click that lands while the page is still
    rerunning (a busy machine) does not open the list, so it is tried again."""
    choice = page.get_by_role("option", name=option)
    for _ in range(4):
        page.get_by_test_id("stMultiSelect").filter(has_text=box).click()
        try:
            choice.wait_for(timeout=10_000)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    choice.click()


def test_every_page_opens(page, server):
    for path, title in PAGES.items():
        _open(page, f"{server}/{path}", title)
        page.screenshot(path=ARTIFACTS / f"page-{path or 'overview'}.png", full_page=True)


def test_filter_language_and_downloads(page, server, all_trajectories, tmp_path):
    _open(page, server, "Overzicht")
    _choose(page, "Provincie", "Limburg")
    page.keyboard.press("Escape")
    limburg = all_trajectories.filter(pl.col("project_code") == "WGTW-LIM").height
    reached = page.get_by_test_id("stMetric").filter(has_text="Bereikte personen")
    expect(reached).to_contain_text(f"{limburg:,}".replace(",", "."), timeout=30_000)
    assert "province=LIM" in page.url
    page.screenshot(path=ARTIFACTS / "overview-limburg.png", full_page=True)

    files: dict[str, Path] = {}
    for label in ("PNG", "SVG"):
        with page.expect_download(timeout=60_000) as download:
            page.get_by_test_id("stDownloadButton").filter(has_text=label).first.click()
        target = tmp_path / download.value.suggested_filename
        download.value.save_as(target)
        files[label] = target
    assert files["PNG"].read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in files["SVG"].read_bytes()[:500]
    for path in files.values():
        assert "province-LIM" in path.name and "20231231" in path.name

    with page.expect_download(timeout=120_000) as download:
        page.get_by_test_id("stDownloadButton").filter(has_text="Rapportpakket").click()
    pack = tmp_path / download.value.suggested_filename
    download.value.save_as(pack)
    assert zipfile.is_zipfile(pack) and "summary.pdf" in zipfile.ZipFile(pack).namelist()

    page.get_by_test_id("stButtonGroup").get_by_text("FR", exact=True).click()
    expect(page.get_by_role("heading", name="Aperçu", exact=True)).to_be_visible(timeout=30_000)
    assert "lang=fr" in page.url and "province=LIM" in page.url
    page.screenshot(path=ARTIFACTS / "overview-limburg-fr.png", full_page=True)


def test_sign_in_and_out(page, secured):
    page.goto(secured)
    expect(page.get_by_role("heading", name="Aanmelden bij werkpad")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    page.get_by_label("Gebruikersnaam").fill("anna")
    page.get_by_label("Wachtwoord").fill("wrong password")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_text("Gebruikersnaam of wachtwoord klopt niet.")).to_be_visible()
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", name="Overzicht", exact=True)).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Aangemeld als anna")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "signed-in.png", full_page=True)
    page.get_by_role("button", name="Afmelden").click()
    expect(page.get_by_role("heading", name="Aanmelden bij werkpad")).to_be_visible()


@pytest.fixture(scope="module")
def identity_provider():
    """A loopback OpenID Connect provider that signs in Limburg's project lead."""
    with IdentityProvider("lies@limburg.example") as idp:
        yield idp


@pytest.fixture(scope="module")
def federated(loaded, tmp_path_factory, identity_provider):
    """`werkpad serve` with `[auth]` in .streamlit/secrets.toml pointing at the provider, and
    a user file that maps the provider's e-mail address to a Limburg project lead."""
    site = tmp_path_factory.mktemp("site")
    users = site / "users.json"
    UserFile(users).add(User("lies@limburg.example", "project_lead", provinces=("LIM",)))
    port = _free_port()
    (site / ".streamlit").mkdir()
    (site / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{CLIENT_SECRET}-cookie"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{identity_provider.url}/.well-known/openid-configuration"\n'
    )
    env = {k: v for k, v in os.environ.items() if k != "WERKPAD_DEMO"}
    process, url = _serve(
        loaded[0] / "warehouse.duckdb",
        env=env | {"WERKPAD_USERS": str(users)},
        cwd=site,
        port=port,
    )
    yield url
    process.terminate()
    process.wait(timeout=30)


def test_identity_provider_round_trip(page, federated, identity_provider, all_trajectories):
    # the whole OIDC code flow: button -> provider -> callback -> figures of her scope only
    page.goto(federated)
    button = page.get_by_role("button", name="Aanmelden met uw organisatie-account")
    expect(button).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    identity_provider.verified = False  # an address the provider has not confirmed: no role
    button.click()
    expect(page.get_by_text("niet bevestigd")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    page.get_by_role("button", name="Afmelden").click()
    identity_provider.verified = True
    expect(button).to_be_visible(timeout=60_000)
    button.click()
    expect(page.get_by_role("heading", name="Overzicht", exact=True)).to_be_visible(timeout=60_000)
    assert identity_provider.signed_in == ["lies@limburg.example"] * 2
    expect(page.get_by_text("Aangemeld als lies@limburg.example")).to_be_visible()
    limburg = all_trajectories.filter(pl.col("project_code") == "WGTW-LIM").height
    reached = page.get_by_test_id("stMetric").filter(has_text="Bereikte personen")
    expect(reached).to_contain_text(f"{limburg:,}".replace(",", "."), timeout=30_000)
    page.screenshot(path=ARTIFACTS / "signed-in-oidc.png", full_page=True)
    page.get_by_role("button", name="Afmelden").click()
    expect(button).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)


def test_a_menu_link_opened_in_a_new_tab_keeps_the_filters_and_vintage(page, history):
    """The menu's links were bare paths: one opened in a new tab (or copied) showed another
    selection, today's data instead of the vintage chosen (found in review). A page's own
    choice (the conversion page's grouping) stays on its page."""
    process, server = _serve(history[0] / "warehouse.duckdb", "--demo")
    try:
        _open(page, f"{server}/conversion?gender=F&asof=2023-06-30&by=partner_code", "Doorstroom")
        banner = page.get_by_test_id("stAlert").filter(has_text="30/06/2023")
        expect(banner).to_be_visible(timeout=30_000)
        link = page.get_by_test_id("stSidebarNavLink").filter(has_text="Bereik")
        link.hover()
        href = link.get_attribute("href") or ""
        assert "gender=F" in href and "asof=2023-06-30" in href and "by=" not in href, href
        opened = page.context.new_page()
        try:
            _open(opened, href if href.startswith("http") else f"{server}{href}", "Bereik")
            banner = opened.get_by_test_id("stAlert").filter(has_text="30/06/2023")
            expect(banner).to_be_visible(timeout=30_000)
            assert "gender=F" in opened.url and "asof=2023-06-30" in opened.url
        finally:
            opened.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
