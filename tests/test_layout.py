"""The arrows run one way, and only the dashboard imports streamlit.

CLI -> {pipelines, dashboard, report pack, sample data} -> published figures and rendering ->
{metrics, disclosure, access, warehouse reader} -> {contract, SQL} -> config. An AST walk over
every module (imports inside functions included) fails on an import against the arrows, so
a new convenience import that turns the house around shows up here, not in review.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from werkpad.config import CHECKOUT_DIR

PACKAGES = ("werkpad", "pipelines", "dashboard", "sample_data")
# unit -> layer; a module belongs to the longest unit that prefixes its name
LAYERS = {
    "werkpad.cli": 0,
    "pipelines": 1,
    "dashboard": 1,
    "sample_data": 1,
    "werkpad.report_pack": 1,
    "werkpad.figures": 2,
    "werkpad.rendering": 2,
    "werkpad.metrics": 3,
    "werkpad.disclosure": 3,
    "werkpad.access": 3,
    "werkpad.warehouse": 3,
    "werkpad.contract_docs": 3,
    "werkpad.contract": 4,
    "werkpad.config": 5,
    "werkpad.sql": 4,
}
# sideways arrows that are meant: the dashboard offers the report pack for download, and
# shows refused files' reports through the quarantine module's read side
ALLOWED = {("dashboard", "werkpad.report_pack"), ("dashboard", "pipelines.quarantine")}


def _unit(module: str) -> str:
    matches = [u for u in LAYERS if module == u or module.startswith(u + ".")]
    if not matches:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS")
    return max(matches, key=len)


def _modules() -> dict[str, Path]:
    assert CHECKOUT_DIR is not None
    found = {}
    for package in PACKAGES:
        for path in (CHECKOUT_DIR / package).rglob("*.py"):
            parts = path.relative_to(CHECKOUT_DIR).with_suffix("").parts
            found[".".join(p for p in parts if p != "__init__")] = path
    found.pop("werkpad")  # the package's own __init__: a docstring and a version
    return found


def _imports(path: Path) -> set[str]:
    """Every module of ours that a file imports, at the top or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            submodules = {f"{node.module}.{a.name}" for a in node.names} & set(MODULES)
            out |= submodules or {node.module}  # `from pkg import mod` imports mod
    return {m for m in out if m.split(".")[0] in PACKAGES or m.split(".")[0] == "streamlit"}


MODULES = _modules()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_down_the_layers(module):
    source = _unit(module)
    wrong = []
    for target in _imports(MODULES[module]):
        if target.split(".")[0] == "streamlit":
            continue
        if target not in MODULES and target.rsplit(".", 1)[0] in MODULES:
            target = target.rsplit(".", 1)[0]  # `from pkg import name`: a name, not a module
        if target == "werkpad":
            continue
        unit = _unit(target)
        sideways = (source.split(".")[0], unit) in ALLOWED or (
            source.split(".")[0],
            target,
        ) in ALLOWED
        if unit != source and not sideways and LAYERS[unit] <= LAYERS[source]:
            wrong.append(f"{module} imports {target}")
    assert wrong == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_dashboard_imports_streamlit(module):
    uses = any(m.split(".")[0] == "streamlit" for m in _imports(MODULES[module]))
    assert not uses or module.startswith("dashboard"), module


def test_the_rule_catches_a_wrong_arrow(tmp_path):
    """The walk itself: a report pack that imports the dashboard is caught."""
    bad = tmp_path / "report_pack.py"
    bad.write_text("from dashboard import data\n")
    target = _unit(next(iter(_imports(bad))))
    assert LAYERS[target] <= LAYERS["werkpad.report_pack"]
    assert ("werkpad", target) not in ALLOWED
