"""Every page in every role and language, in a real browser on a real server (issue #10, done
when): a funder (all of Flanders, suppressed, no operational page) and a project lead (one
project, suppressed) sign in once, then open each page they may see in nl, fr and en. No error
reaches them, axe-core finds no serious or critical violation, and every number a chart draws
is written the Belgian way of that language (no plotly default "4800", "1,234" or "78%").
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.test_accessibility import CHART_TEXTS, serious_violations, settle, unbelgian_numbers
from tests.e2e.test_browser import CHROMIUM, PASSWORD, _serve
from werkpad.access import OPERATIONAL_PAGES, User, UserFile, hash_password
from werkpad.rendering.i18n import LANGUAGES, Translator

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
# the steering view is every page of the demo server: test_accessibility checks it the same way
USERS = [
    User("fien", "funder"),
    User("lars", "project_lead", projects=("WGTW-LIM",)),
]


@pytest.fixture(scope="module")
def site(loaded, tmp_path_factory):
    users = tmp_path_factory.mktemp("users") / "users.json"
    for user in USERS:
        UserFile(users).add(
            User(user.name, user.role, user.provinces, user.projects, hash_password(PASSWORD))
        )
    env = {k: v for k, v in os.environ.items() if k != "WERKPAD_DEMO"}
    process, url = _serve(loaded[0] / "warehouse.duckdb", env=env | {"WERKPAD_USERS": str(users)})
    yield url
    process.terminate()
    process.wait(timeout=30)


def _sign_in(page: Page, url: str, name: str) -> None:
    page.goto(url)
    t = Translator("nl")
    expect(page.get_by_role("heading", name=t("access.title"))).to_be_visible(timeout=60_000)
    page.get_by_label(t("access.name")).fill(name)
    page.get_by_label(t("access.password")).fill(PASSWORD)
    page.get_by_role("button", name=t("access.login")).click()
    expect(page.get_by_role("heading", name=t("nav.overview"), exact=True)).to_be_visible(
        timeout=60_000
    )


@pytest.mark.parametrize("user", USERS, ids=[u.role for u in USERS])
def test_every_page_in_every_language_for_every_role(site, user):
    found: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 1440, "height": 1800}).new_page()
        _sign_in(page, site, user.name)  # once: the session lasts across the links below
        for lang in LANGUAGES:
            t = Translator(lang)
            for name in user.pages:
                path = "" if name == "overview" else name
                settle(page, f"{site}/{path}?lang={lang}", t(f"nav.{name}"))
                found += [f"{lang} /{path}: {v}" for v in serious_violations(page)]
                texts = page.evaluate(CHART_TEXTS)
                # operational pages list files and submissions; this sample has no placements,
                # so the employer network says so (test_employers_browser draws it)
                if name not in OPERATIONAL_PAGES and name != "employers":
                    assert any(re.search(r"\d", text) for text in texts), (lang, name, "no number")
                found += [f"{lang} /{path}: {x!r}" for x in unbelgian_numbers(texts, lang)]
            menu = page.get_by_test_id("stSidebarNav")
            expect(menu.get_by_text(t("nav.data_quality"))).to_have_count(
                1 if user.partner_detail else 0
            )
        browser.close()
    assert not found, "\n".join(found)
