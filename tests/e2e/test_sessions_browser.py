"""A sign-in lasts across a reload and an opened link, in a real browser on a real server,
and ends everywhere at sign-out. Opening a link while signed out shows that link's page and
filters once signed in. The session cookie is HttpOnly and SameSite=Lax.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.test_browser import CHROMIUM, PASSWORD, _serve
from werkpad.access import User, UserFile, hash_password
from werkpad.sessions import COOKIE

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
SIGN_IN = "Aanmelden bij werkpad"


@pytest.fixture(scope="module")
def site(loaded, tmp_path_factory):
    users = tmp_path_factory.mktemp("users") / "users.json"
    UserFile(users).add(User("anna", "steering", password_hash=hash_password(PASSWORD)))
    env = {k: v for k, v in os.environ.items() if k != "WERKPAD_DEMO"}
    process, url = _serve(loaded[0] / "warehouse.duckdb", env=env | {"WERKPAD_USERS": str(users)})
    yield url, users.parent
    process.terminate()
    process.wait(timeout=30)


def _heading(page: Page, name: str) -> None:
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible(timeout=60_000)
    assert page.get_by_test_id("stException").count() == 0


def _sign_in(page: Page) -> None:
    _heading(page, SIGN_IN)
    page.get_by_label("Gebruikersnaam").fill("anna")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()


def _session_cookie(page: Page) -> dict | None:
    return next((c for c in page.context.cookies() if c["name"] == COOKIE), None)


def test_a_sign_in_lasts_across_reloads_and_links_until_sign_out(site):
    url, folder = site
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1200})
        page = context.new_page()
        page.goto(f"{url}/reach?province=LIM&gender=F")  # a shared link, signed out
        _sign_in(page)
        _heading(page, "Bereik")  # the link's page ...
        expect(page.get_by_test_id("stMultiSelect").filter(has_text="Provincie")).to_contain_text(
            "Limburg"
        )  # ... and its filters
        assert "province=LIM" in page.url and "gender=F" in page.url
        for _ in range(40):  # the page fetches the cookie right after signing in
            if _session_cookie(page):
                break
            page.wait_for_timeout(250)
        cookie = _session_cookie(page)
        assert cookie is not None, "the sign-in set no session cookie"
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
        assert cookie["value"] not in page.content()  # never in the page

        page.reload()
        _heading(page, "Bereik")
        expect(page.get_by_role("heading", name=SIGN_IN)).to_have_count(0)

        other = context.new_page()  # a bookmarked link in a new tab
        other.goto(f"{url}/outcomes?province=ANT")
        _heading(other, "Resultaten")
        expect(other.get_by_text("Aangemeld als anna")).to_be_visible()

        # another site's page making the browser POST a sign-out (CSRF) is refused
        forged = page.request.post(
            f"{url}/_werkpad/signout", headers={"Origin": "http://elders.example"}
        )
        assert forged.status == 403
        other.reload()
        _heading(other, "Resultaten")  # still signed in

        page.get_by_role("button", name="Afmelden").click()
        _heading(page, SIGN_IN)
        other.reload()  # the other tab's session ended too
        _heading(other, SIGN_IN)
        page.reload()
        _heading(page, SIGN_IN)
        assert "anna" not in (folder / "sessions.json").read_text()
        browser.close()
