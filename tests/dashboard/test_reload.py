"""A running dashboard shows a newly published warehouse on the next rerun.

DuckDB's Python client hands back the database instance it already has open for a path while
any connection to it lives, so a naive reconnect after the nightly load's os.replace() keeps
reading the old, deleted file. These tests publish a changed copy exactly as the loader does
(os.replace onto the live path) and read through the dashboard's query layer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dashboard import data


def publish_without(live: Path, project: str) -> None:
    """Publish a copy of the live warehouse with one project's trajectories and snapshot gone."""
    copy = live.with_name(live.name + ".next")
    shutil.copyfile(live, copy)
    con = duckdb.connect(str(copy))
    con.execute("DELETE FROM marts.fct_trajectories WHERE project_code = ?", [project])
    con.execute("DELETE FROM ops.snapshots WHERE project_code = ?", [project])
    con.close()
    os.replace(copy, live)


def _count(warehouse: Path) -> int:
    """Trajectories in the file now at this path, read by a process of its own."""
    code = "import duckdb, sys; print(duckdb.connect(sys.argv[1], read_only=True)"
    code += ".execute('SELECT count(*) FROM marts.fct_trajectories').fetchone()[0])"
    run = subprocess.run([sys.executable, "-c", code, str(warehouse)], capture_output=True)
    return int(run.stdout)


@pytest.fixture
def live(fresh_copy, monkeypatch) -> Path:
    monkeypatch.setenv("WERKPAD_WAREHOUSE", str(fresh_copy))
    return fresh_copy


def test_a_published_load_is_read_on_the_next_query(live):
    before = data.version()
    reached = data.headline(before, ())["reached"]
    assert reached == _count(live)
    in_flight = data.cursor(before)  # a session that is mid-run on the old file
    publish_without(live, "WGTW-LIM")
    after = data.version()
    assert after != before
    assert data.headline(after, ())["reached"] == _count(live) < reached
    assert "WGTW-LIM" not in data.table(after, "snapshots")["project_code"].to_list()
    # the session that was mid-run finishes its query on the old file without an error
    assert in_flight.execute("SELECT count(*) FROM marts.fct_trajectories").fetchone()[0] == reached


def test_every_load_is_read_not_only_the_first(live):
    seen = []
    for project in ("WGTW-LIM", "WGTW-ANT", "WGTW-OVL"):
        data.headline(data.version(), ())
        publish_without(live, project)
        seen.append(data.headline(data.version(), ())["reached"])
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 3
