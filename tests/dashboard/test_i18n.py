"""Every text in three languages, every metric and category labelled, Belgian formats."""

from __future__ import annotations

import datetime as dt

import pytest

from werkpad.contract import default_contract
from werkpad.metrics import GROUPABLE, categories, metric_names
from werkpad.rendering.i18n import LANGUAGES, Translator, translations


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "nl"])
def test_every_language_has_every_key(lang):
    assert set(translations(lang)) == set(translations("nl"))


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_metric_and_category_is_labelled(lang):
    texts = translations(lang)
    missing = [f"metric.{m}" for m in metric_names() if f"metric.{m}" not in texts]
    kinds = {k: categories(k) for k in GROUPABLE}  # [] for data-valued groupings (partners)
    kinds["benefit_status"] = list(default_contract().column("benefit_status").values)
    missing += [
        f"category.{k}.{v}"
        for k, values in kinds.items()
        for v in values
        if f"category.{k}.{v}" not in texts
    ]
    assert missing == []


def test_belgian_formats():
    nl, fr, en = Translator("nl"), Translator("fr"), Translator("en")
    assert nl.rate(0.65) == "65,0 %" and fr.rate(0.65) == "65,0 %" and en.rate(0.65) == "65.0%"
    assert nl.count(3585) == "3.585" and en.count(3585) == "3,585"
    assert nl.date(dt.date(2023, 5, 31)) == fr.date(dt.date(2023, 5, 31)) == "31/05/2023"
    assert nl.rate(None) == "–"


def test_categories_and_fallback():
    assert Translator("fr").category("step_type", "ibo").startswith("IBO")
    assert Translator("nl").category("referral_source", "ocmw") == "OCMW"
    assert Translator("en").category("step_type", "something_new") == "something_new"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_load_status_is_labelled(lang):
    from pipelines.ledger import STATUSES

    texts = translations(lang)
    assert [s for s in STATUSES if f"category.status.{s}" not in texts] == []
