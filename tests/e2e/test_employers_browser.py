"""The Employer network page (issue 13) in a real browser on a real server, on a warehouse
with the Werk-in-zicht, Jumpstart and OCMW networks: steering (the demo view), a funder and an
Antwerp project lead open it in nl, fr and en. No error reaches them, axe-core finds no serious
or critical violation, the charts draw numbers written the Belgian way, a funder sees no
partner table, and no employer key is anywhere on the page."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e.test_accessibility import CHART_TEXTS, serious_violations, settle, unbelgian_numbers
from tests.e2e.test_browser import CHROMIUM, PASSWORD, _serve
from tests.e2e.test_roles_browser import ARGS, _sign_in
from werkpad.access import User, UserFile, hash_password
from werkpad.rendering.i18n import LANGUAGES, Translator

USERS = [User("fien", "funder"), User("paul", "project_lead", provinces=("ANT",))]


@pytest.fixture(scope="module")
def network_site(network, tmp_path_factory):
    users = tmp_path_factory.mktemp("users") / "users.json"
    for user in USERS:
        UserFile(users).add(
            User(user.name, user.role, user.provinces, user.projects, hash_password(PASSWORD))
        )
    env = {k: v for k, v in os.environ.items() if k != "WERKPAD_DEMO"}
    process, url = _serve(network[0], env=env | {"WERKPAD_USERS": str(users)})
    yield url
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.parametrize("user", USERS, ids=[u.role for u in USERS])
def test_the_employer_network_in_every_language_for_every_role(network, network_site, user):
    found: list[str] = []
    keys = set(network[1]["employer_key"].unique())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 1440, "height": 1800}).new_page()
        _sign_in(page, network_site, user.name)
        for lang in LANGUAGES:
            t = Translator(lang)
            settle(page, f"{network_site}/employers?lang={lang}", t("nav.employers"))
            found += [f"{lang}: {v}" for v in serious_violations(page)]
            texts = page.evaluate(CHART_TEXTS)
            assert any(re.search(r"\d", text) for text in texts), (lang, "no number drawn")
            found += [f"{lang}: {x!r}" for x in unbelgian_numbers(texts, lang)]
            body = page.inner_text("body")
            assert "Traceback" not in body and not any(key in body for key in keys)
            partner_table = page.get_by_role("heading", name=t("employers.per_partner_code"))
            assert partner_table.count() == (1 if user.partner_detail else 0)
        browser.close()
    assert not found, "\n".join(found)
