"""Every page is documented: a docstring, a label in each language, a line in the README."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from werkpad.access import PAGES
from werkpad.rendering.i18n import LANGUAGES, translations

VIEWS = Path("dashboard/views")


def _pages() -> list[str]:
    return list(PAGES)


def _icons() -> list[str]:
    """The pages app.py has a menu icon for (read, not imported: importing runs the app)."""
    tree = ast.parse(Path("dashboard/app.py").read_text(encoding="utf-8"))
    icons = next(
        n
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "ICONS"
    )
    assert isinstance(icons.value, ast.Dict)
    return [k.value for k in icons.value.keys if isinstance(k, ast.Constant)]


def test_every_view_file_is_routed():
    assert sorted(_pages()) == sorted(p.stem for p in VIEWS.glob("*.py")) == sorted(_icons())


@pytest.mark.parametrize("page", _pages())
def test_page_is_documented(page):
    module = ast.parse((VIEWS / f"{page}.py").read_text(encoding="utf-8"))
    assert len(ast.get_docstring(module) or "") > 20
    for lang in LANGUAGES:
        assert f"nav.{page}" in translations(lang)
    assert f"*{translations('en')[f'nav.{page}']}*" in Path("README.md").read_text()
