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
    "werkpad.submissions": 0.5,  # a frozen report pack and its revisions: over the pack
    "werkpad.targets": 1.5,  # the published figures of targets: over figures, under its users
    "werkpad.figures": 2,
    "werkpad.rendering": 2,
    "werkpad.metrics": 3,
    "werkpad.disclosure": 3,
    "werkpad.access": 3,
    "werkpad.sessions": 3,
    "werkpad.warehouse": 3,
    "werkpad.contract_docs": 3,
    "werkpad.contract": 4,
    "werkpad.config": 6,
    "werkpad.site": 5,
    "werkpad.sql": 4,
}
# sideways arrows that are meant: the dashboard offers the report pack for download, shows
# refused files' reports through the quarantine module's read side,
# reads a past vintage, which runs the pipeline's models on the reader's connection, and
# lists submissions with their revisions and keeps the pack a user submits
ALLOWED = {
    ("dashboard", "werkpad.report_pack"),
    ("dashboard", "pipelines.quarantine"),
    ("dashboard", "pipelines.vintage"),
    ("dashboard", "werkpad.submissions"),
    ("dashboard", "pipelines.submissions"),
}


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


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The module an ImportFrom names, with a relative import (`from . import x`) resolved."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _dynamic(node: ast.AST) -> str | None:
    """The module of `importlib.import_module("x")` or `__import__("x")`, if it is a literal."""
    if not isinstance(node, ast.Call) or not node.args:
        return None
    name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
    first = node.args[0]
    if name in ("import_module", "__import__") and isinstance(first, ast.Constant):
        return str(first.value)
    return None


def _ours_or_streamlit(module: str) -> bool:
    top = module.split(".")[0]
    return top in PACKAGES or top.startswith("streamlit")  # streamlit_* add-ons count too


def _imports(path: Path, module: str = "") -> set[str]:
    """Every module of ours that a file imports, at the top or inside a function, relative
    imports and literal dynamic imports included."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, path, node)
            submodules = {f"{base}.{a.name}" for a in node.names} & set(MODULES)
            out |= submodules or {base}  # `from pkg import mod` imports mod
        elif dynamic := _dynamic(node):
            out.add(dynamic)
    return {m for m in out if _ours_or_streamlit(m)}


MODULES = _modules()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_down_the_layers(module):
    source = _unit(module)
    wrong = []
    for target in _imports(MODULES[module], module):
        if target.split(".")[0].startswith("streamlit"):
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
    uses = any(m.split(".")[0].startswith("streamlit") for m in _imports(MODULES[module], module))
    assert not uses or module.startswith("dashboard"), module


def test_the_rule_catches_a_wrong_arrow(tmp_path):
    """The walk itself: a report pack that imports the dashboard is caught."""
    bad = tmp_path / "report_pack.py"
    bad.write_text("from dashboard import data\n")
    target = _unit(next(iter(_imports(bad))))
    assert LAYERS[target] <= LAYERS["werkpad.report_pack"]
    assert ("werkpad", target) not in ALLOWED


def test_the_walk_sees_relative_and_dynamic_imports(tmp_path):
    package = tmp_path / "werkpad"
    package.mkdir()
    bad = package / "report_pack.py"
    bad.write_text(
        "import importlib\nfrom .figures import x\n"
        "importlib.import_module('dashboard.data')\nimport streamlit_authenticator\n"
    )
    found = _imports(bad, "werkpad.report_pack")
    assert {"werkpad.figures", "dashboard.data", "streamlit_authenticator"} <= found


def test_every_package_of_the_checkout_is_walked():
    assert CHECKOUT_DIR is not None
    packages = {p.parent.name for p in CHECKOUT_DIR.glob("*/__init__.py")} - {"tests"}
    assert packages == set(PACKAGES)


def test_the_quarantine_read_side_stands_alone():
    """The dashboard may import pipelines.quarantine (ALLOWED): it must not pull in the
    pipeline's write path behind it."""
    ours = _imports(MODULES["pipelines.quarantine"], "pipelines.quarantine")
    assert not [m for m in ours if m.startswith("pipelines")]
