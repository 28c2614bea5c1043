"""`werkpad demo` on a fresh folder: writes samples, loads them and really serves."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import duckdb

from werkpad.contract import default_contract


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
        snapshots = con.execute("SELECT count(*) FROM ops.snapshots").fetchone()[0]
        projects = len(default_contract().reference_rows("projects"))
        con.close()
        assert snapshots == projects == 10  # every project of the demo site's five programmes
        assert len(list((tmp_path / "quarantine").glob("*.report.md"))) >= 10
    finally:
        server.terminate()
        server.wait(timeout=30)
