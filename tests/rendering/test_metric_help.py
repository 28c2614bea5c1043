"""Every metric has help text in every language: the KPI card's tooltip and the funder PDF's
one-line definition explain what a figure counts, so the help must exist, must not merely repeat
the metric's label, and in English must be the definition in metrics.yaml itself."""

from __future__ import annotations

import pytest

from werkpad.metrics import load_metrics
from werkpad.rendering.i18n import LANGUAGES, translations


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_metric_has_help_that_is_not_its_label(lang):
    texts = translations(lang)
    names = [m.name for m in load_metrics()]
    missing = [n for n in names if not texts.get(f"metric_help.{n}", "").strip()]
    assert missing == []
    echoes = [n for n in names if texts[f"metric_help.{n}"] == texts.get(f"metric.{n}")]
    assert echoes == []


def test_english_help_is_the_metrics_yaml_description():
    texts = translations("en")
    differing = [
        m.name for m in load_metrics() if texts.get(f"metric_help.{m.name}") != m.description
    ]
    assert differing == []
