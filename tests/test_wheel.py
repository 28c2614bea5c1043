"""werkpad runs from a wheel: built, installed into a fresh virtual environment outside the
checkout, and used from another working directory, as a site would run it.

The wheel must carry everything the code reads (contracts, SQL, metrics, translations,
sample data); a file only a checkout has would fail here. Dependencies come from the lock
file (`uv export`), installed from uv's cache where the setup already put them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from werkpad.config import CHECKOUT_DIR


def _uv() -> str:
    uv = shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
    if not Path(uv).exists():
        if os.environ.get("CI"):  # CI installs uv first (make setup): a skip would hide a gap
            pytest.fail("uv is not installed")
        pytest.skip("uv is not installed (make setup installs it)")
    return uv


def _run(cmd: list, cwd: Path, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=900, **kw
    )
    assert done.returncode == 0, (cmd, done.stdout[-2000:], done.stderr[-2000:])
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The `werkpad` command of a fresh venv holding the locked dependencies and the wheel."""
    root = tmp_path_factory.mktemp("wheel")
    uv, env = _uv(), os.environ | {"UV_PYTHON_DOWNLOADS": "never", "VIRTUAL_ENV": ""}
    _run([uv, "build", "--wheel", "--out-dir", root / "dist", "-q"], CHECKOUT_DIR, env=env)
    requirements = _run(
        [uv, "export", "--locked", "--no-dev", "--no-emit-project", "--no-hashes", "-q"],
        CHECKOUT_DIR,
        env=env,
    ).stdout
    (root / "requirements.txt").write_text(requirements)
    _run([uv, "venv", "-q", "--python", sys.executable, root / "venv"], root, env=env)
    python = root / "venv" / "bin" / "python"
    _run([uv, "pip", "install", "-q", "-p", python, "-r", root / "requirements.txt"], root, env=env)
    wheel = next((root / "dist").glob("werkpad-*.whl"))
    _run([uv, "pip", "install", "-q", "-p", python, "--no-deps", wheel], root, env=env)
    return root / "venv" / "bin" / "werkpad"


def test_the_wheel_carries_its_data(installed):
    wheel = next((installed.parents[2] / "dist").glob("werkpad-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {
        "werkpad/_assets/data_contracts/trajectories.yaml",
        "werkpad/metrics/metrics.yaml",
        "werkpad/rendering/translations/nl.yaml",
        "pipelines/sql/marts/fct_trajectories.sql",
        "dashboard/app.py",
        "sample_data/extracts/WGTW-VBR_20231231.xlsx",
    } <= names


def test_load_metrics_and_report_from_another_directory(installed, tmp_path):
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WERKPAD_")}
    env["HOME"] = str(tmp_path)  # build outputs of an installed werkpad go to the user's data
    _run([installed, "sample", "--out", "inbox", "--rows", "600"], work, env=env)
    load = _run([installed, "load", "--inbox", "inbox", "--warehouse", "w.duckdb"], work, env=env)
    # ten projects' trajectories and the placements of four (Werk-in-zicht, Jumpstart, OCMW):
    # the installed wheel carries both contracts
    assert load.stderr == "" and "14 loaded" in load.stdout.splitlines()[-1]
    figures = json.loads(
        _run([installed, "metrics", "--warehouse", "w.duckdb", "--json"], work, env=env).stdout
    )
    loaded_rows = sum(int(line.split(": ")[1].split()[0]) for line in load.stdout.splitlines()
                      if line.startswith("loaded")
                      and "_placements_" not in line)  # fmt: skip
    assert figures["reached"] == loaded_rows  # every programme's people
    wgtw = _run([installed, "metrics", "--warehouse", "w.duckdb", "--programme", "WGTW",
                 "--json"], work, env=env)  # fmt: skip
    assert json.loads(wgtw.stdout)["reached"] == 600  # --rows is We Go To Work's
    _run(
        [installed, "report", "--warehouse", "w.duckdb", "--period-from", "2021-01-01",
         "--period-to", "2023-12-31", "--out", "pack.zip"],
        work, env=env,
    )  # fmt: skip
    with zipfile.ZipFile(work / "pack.zip") as pack:
        assert {"summary.pdf", "esf_participants.xlsx"} <= set(pack.namelist())
    contract = _run([installed, "contract"], work, env=env).stdout
    assert contract == (CHECKOUT_DIR / "docs" / "data_contract.md").read_text(encoding="utf-8")


def test_serve_from_another_directory(installed, tmp_path):
    work = tmp_path / "site"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WERKPAD_")}
    env["HOME"] = str(tmp_path)
    _run([installed, "sample", "--out", "inbox", "--rows", "300"], work, env=env)
    _run([installed, "load", "--inbox", "inbox", "--warehouse", "w.duckdb"], work, env=env)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [installed, "serve", "--warehouse", "w.duckdb", "--port", str(port), "--demo"],
        cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline, health = time.monotonic() + 90, ""
        while time.monotonic() < deadline and health != "ok":
            try:
                url = f"http://127.0.0.1:{port}/_stcore/health"
                health = urllib.request.urlopen(url, timeout=2).read().decode()
            except OSError:
                time.sleep(0.5)
        assert health == "ok"
    finally:
        server.terminate()
        server.wait(timeout=30)
    # the health check answers before the app runs: run the app itself, pages and all, from
    # the installed package (Streamlit's AppTest in the wheel's venv)
    reached = json.loads(
        _run([installed, "metrics", "--warehouse", "w.duckdb", "--json"], work, env=env).stdout
    )["reached"]
    page = _run(
        [installed.parent / "python", "-c", APP_PROBE],
        work, env=env | {"WERKPAD_WAREHOUSE": str(work / "w.duckdb"), "WERKPAD_DEMO": "1"},
    )  # fmt: skip
    shown = json.loads(page.stdout.strip().splitlines()[-1])
    assert int(shown["Bereikte personen"].replace(".", "")) == reached


APP_PROBE = """
import json
from streamlit.testing.v1 import AppTest
from dashboard import APP
at = AppTest.from_file(str(APP), default_timeout=120)
at.run()
assert not at.exception, [e.message for e in at.exception]
for page in ("reach", "conversion", "referral", "outcomes", "data_quality"):
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, (page, [e.message for e in at.exception])
at.switch_page("views/overview.py").run()
print(json.dumps({m.label: m.value for m in at.metric}))
"""
