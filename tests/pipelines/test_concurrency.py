"""Real processes: a load killed with SIGKILL, and a reader open while the nightly load runs.

The warehouse must always open and hold either the previous or the new snapshot, never a mix.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest

from pipelines.load import run_load
from sample_data.generator import generate
from tests.conftest import write_csv

BIG = 150_000  # large enough that a load takes a few seconds to kill it at different moments


@pytest.fixture(scope="module")
def two_snapshots(tmp_path_factory):
    """A warehouse holding a small WGTW-LIM snapshot, and an inbox with a big newer one."""
    root = tmp_path_factory.mktemp("concurrency")
    old = generate(500, 1, dt.date(2023, 6, 30), ["WGTW-LIM"])["WGTW-LIM"]
    new = generate(BIG, 2, dt.date(2023, 12, 31), ["WGTW-LIM"])["WGTW-LIM"]
    write_csv(old, root / "night1")
    run_load(root / "night1", root / "base.duckdb", root / "q")
    write_csv(new, root / "night2")
    return root, old.height, new.height


def _state(warehouse):
    """(snapshot date, snapshot rows, rows in raw, rows in the mart, rows of the live
    snapshot's open row versions) of WGTW-LIM, and how many snapshots its history holds."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "SELECT s.extract_date, s.rows, "
            "(SELECT count(*) FROM raw.trajectories WHERE project_code = 'WGTW-LIM'), "
            "(SELECT count(*) FROM marts.fct_trajectories WHERE project_code = 'WGTW-LIM'), "
            "(SELECT count(*) FROM raw.trajectory_versions "
            " WHERE project_code = 'WGTW-LIM' AND _valid_to IS NULL), "
            "(SELECT count(*) FROM ops.snapshot_history WHERE project_code = 'WGTW-LIM') "
            "FROM ops.snapshots s WHERE project_code = 'WGTW-LIM'"
        ).fetchone()
    finally:
        con.close()


def _load_cmd(root, warehouse):
    return [
        sys.executable,
        "-m",
        "werkpad.cli",
        "load",
        "--inbox",
        str(root / "night2"),
        "--warehouse",
        str(warehouse),
        "--quarantine",
        str(root / "q"),
    ]


@pytest.mark.parametrize("kill_after", [0.5, 2.0, 4.0, 6.0, 9.0])
def test_kill_9_leaves_previous_or_new_snapshot(two_snapshots, tmp_path, kill_after):
    root, old_rows, new_rows = two_snapshots
    warehouse = tmp_path / "w.duckdb"
    warehouse.write_bytes((root / "base.duckdb").read_bytes())
    process = subprocess.Popen(
        _load_cmd(root, warehouse), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(kill_after)
    process.send_signal(signal.SIGKILL)
    process.wait()
    state = _state(warehouse)
    assert state in [
        (dt.date(2023, 6, 30), old_rows, old_rows, old_rows, old_rows, 1),
        (dt.date(2023, 12, 31), new_rows, new_rows, new_rows, new_rows, 2),
    ]
    # the next night finishes the job and cleans up what the killed load left behind
    assert subprocess.run(_load_cmd(root, warehouse), capture_output=True).returncode == 0
    assert _state(warehouse) == (dt.date(2023, 12, 31), new_rows, new_rows, new_rows, new_rows, 2)
    assert [p.name for p in tmp_path.iterdir() if ".loading" in p.name] == []


READER = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    seen = set()
    deadline = time.time() + 120
    print("ready", flush=True)
    while time.time() < deadline:
        seen.add(con.execute(
            "SELECT (SELECT rows FROM ops.snapshots WHERE project_code = 'WGTW-LIM'), "
            "count(*) FROM marts.fct_trajectories WHERE project_code = 'WGTW-LIM'").fetchone())
        if sys.stdin.readline().strip() == "stop":
            break
    print(sorted(seen), flush=True)
""")


def test_reader_open_during_load_neither_blocks_nor_sees_a_half_load(two_snapshots, tmp_path):
    root, old_rows, new_rows = two_snapshots
    warehouse = tmp_path / "w.duckdb"
    warehouse.write_bytes((root / "base.duckdb").read_bytes())
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().strip() == "ready"
    loader = subprocess.Popen(
        _load_cmd(root, warehouse), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    while loader.poll() is None:  # the reader keeps querying its open connection meanwhile
        reader.stdin.write("go\n")
        reader.stdin.flush()
        time.sleep(0.05)
    assert loader.returncode == 0, loader.stderr.read()[-2000:]
    out, _ = reader.communicate("stop\n", timeout=30)
    assert reader.returncode == 0
    assert out.strip() == str([(old_rows, old_rows)])  # only ever the old, whole state
    assert _state(warehouse)[1] == new_rows  # a new connection sees the new snapshot
