"""The dashboard as it stands: pages render the metrics layer's figures, and it really serves."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.metrics.test_metrics import expected
from werkpad.config import PACKAGE_DIR

APP = str(PACKAGE_DIR / "dashboard" / "app.py")


@pytest.fixture
def app(loaded, monkeypatch):
    monkeypatch.setenv("WERKPAD_WAREHOUSE", str(loaded[0] / "warehouse.duckdb"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def _number(text: str) -> float:
    """'1.234' (thousands) -> 1234; '64.2%' -> 64.2."""
    if text.endswith("%"):
        return float(text[:-1])
    return float(text.replace(".", ""))


def test_overview_shows_independent_counts(app, all_trajectories):
    assert not app.exception
    want = expected(all_trajectories)
    shown = {m.label: m.value for m in app.metric}
    assert _number(shown["People reached"]) == want["reached"]
    assert _number(shown["Steps towards work"]) == want["stepped"]
    assert _number(shown["Step rate"]) == pytest.approx(100 * want["step_rate"], abs=0.05)


def test_data_quality_page_lists_every_snapshot(app, loaded):
    app.switch_page("views/data_quality.py").run()
    assert not app.exception
    snapshots = app.dataframe[0].value
    assert sorted(snapshots["project_code"]) == sorted(
        f.project_code for f in loaded[1].files if f.status == "loaded"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_generates_loads_and_serves(tmp_path):
    port = _free_port()
    env = os.environ | {
        "WERKPAD_DEMO_DIR": str(tmp_path),
        "WERKPAD_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "werkpad.cli", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline, body = time.time() + 180, ""
        while time.time() < deadline and body != "ok":
            time.sleep(1)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as r:
                    body = r.read().decode()
            except OSError:
                assert server.poll() is None, "werkpad demo stopped"
        assert body == "ok"
        con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
        assert con.execute("SELECT count(*) FROM ops.snapshots").fetchone()[0] == 5
        con.close()
        assert len(list((tmp_path / "quarantine").glob("*.report.md"))) >= 10
    finally:
        server.terminate()
        server.wait(timeout=30)
