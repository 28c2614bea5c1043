"""Translations and Belgian number and date formats for the dashboard.

Every text the dashboard shows comes from `translations/<lang>.yaml`; Dutch is the default.
Numbers and dates are formatted by Babel in the locale of the language (nl_BE and fr_BE give
`65,0 %` and `31/05/2023`). To add a language, add its YAML file and its locale to LANGUAGES;
tests/dashboard/test_i18n.py fails while a key is missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import yaml
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
LANGUAGES = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_GB"}
DEFAULT_LANGUAGE = "nl"
MISSING = "–"  # shown for an empty value (a rate over nothing)


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat |= _flatten(value, f"{name}.")
        else:
            flat[name] = str(value)
    return flat


# Babel parses its pattern and looks up the locale's symbols on every call: about 0.2 ms a
# number. A page formats the same few hundred month labels and counts on every rerun (chart
# ticks, hover texts), so the formatted text is kept per value, pattern and locale.
FORMATTED = 65_536  # entries per kind: months x years x locales, counts up to the thousands
_decimal = lru_cache(maxsize=FORMATTED)(format_decimal)
_percent = lru_cache(maxsize=FORMATTED)(format_percent)
_date = lru_cache(maxsize=FORMATTED)(format_date)


@cache
def translations(lang: str) -> dict[str, str]:
    """All texts of a language as a flat dict (`category.step_type.ibo` -> text)."""
    path = TRANSLATIONS_DIR / f"{lang}.yaml"
    return _flatten(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Translator:
    """Texts and formats in one language; pages get one from the app shell."""

    lang: str = DEFAULT_LANGUAGE
    missing: str = MISSING  # shown for an empty figure; the suppression symbol for scoped users

    @property
    def locale(self) -> str:
        return LANGUAGES[self.lang]

    def __call__(self, key: str, **values: object) -> str:
        text = translations(self.lang).get(key) or translations(DEFAULT_LANGUAGE).get(key, key)
        return text.format(**values) if values else text

    def category(self, kind: str, value: object) -> str:
        """The label of a category value (a step type, a referral source, ...)."""
        if value is None:
            return self.missing
        return translations(self.lang).get(f"category.{kind}.{value}", str(value))

    def metric(self, name: str) -> str:
        return self(f"metric.{name}")

    def count(self, value: float | None) -> str:
        return self.missing if value is None else _decimal(value, "#,##0", locale=self.locale)

    def rate(self, value: float | None) -> str:
        pattern = "#,##0.0%" if self.lang == "en" else "#,##0.0 %"  # Belgian style: 65,0 %
        return self.missing if value is None else _percent(value, pattern, locale=self.locale)

    def share(self, value: float) -> str:
        """A whole percentage for axis ticks: 40 % (en 40%)."""
        pattern = "#,##0%" if self.lang == "en" else "#,##0 %"
        return _percent(value, pattern, locale=self.locale)

    def number(self, value: float | None, digits: int = 1) -> str:
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        return self.missing if value is None else _decimal(value, pattern, locale=self.locale)

    def date(self, value: dt.date | None) -> str:
        return self.missing if value is None else _date(value, "dd/MM/yyyy", locale=self.locale)

    def datetime(self, value: dt.datetime | None) -> str:
        if value is None:
            return self.missing
        return format_datetime(value, "dd/MM/yyyy HH:mm", locale=self.locale)

    def month(self, value: dt.date) -> str:
        return _date(value, "MMM yyyy", locale=self.locale)

    def quarter(self, value: dt.date) -> str:
        return f"{value.year} Q{(value.month - 1) // 3 + 1}"
