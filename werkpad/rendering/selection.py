"""A selection in words: the caption every file and page carries, and a slug for file names.

The dashboard and the report pack describe a selection with this one function, so a pack's
caption and file name say exactly what the screen had selected: each filter by its name in
the reference tables (or its translated category label), a user's scope like the filter it
narrows, and the period of first contact.
"""

from __future__ import annotations

from typing import Any

from werkpad.rendering.i18n import Translator

# filter -> the kind of reference name its codes have (werkpad.figures.reference_names)
NAMED = ("province", "region", "project", "partner")


def describe(
    t: Translator, filters: dict[str, Any], names: dict[str, dict[str, str]]
) -> tuple[str, str]:
    """A caption naming the active filters, and a short ASCII slug for file names."""
    parts, slug = [], []
    for key, value in filters.items():
        if key in ("reached_from", "reached_to") or not value:
            continue
        key = key.removeprefix("scope_")  # a user's scope is named like the filter it narrows
        kind = key if key in names else None
        shown = [names[kind].get(v, v) if kind else t.category(key, v) for v in value]
        parts.append(f"{t(f'filter.{key}')}: {', '.join(shown)}")
        slug.append(f"{key}-{'+'.join(value)}")
    if filters.get("reached_from"):
        parts.append(
            f"{t('filter.period')}: {t.date(filters['reached_from'])}"
            f"–{t.date(filters['reached_to'])}"
        )
        slug.append(f"{filters['reached_from']:%Y%m%d}-{filters['reached_to']:%Y%m%d}")
    return "; ".join(parts) or t("download.all_filters"), "_".join(slug) or "flanders"
