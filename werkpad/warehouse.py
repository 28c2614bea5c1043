"""Reading the DuckDB warehouse: the one way every reader (dashboard, CLI, report pack) opens it.

The nightly load (pipelines.warehouse) never writes the live file: it swaps a finished copy in
with os.replace(). A reader therefore opens whatever file is live at that moment.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# A load's working copy is named <warehouse>.loading-<pid> beside the live file.
LOADING_SUFFIX = ".loading"


def connect_read_only(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A reader's connection to the file now at `warehouse`; it never blocks the nightly load.

    duckdb.connect(path) hands back the database instance the process already has open for
    that path while any connection to it lives, so after a load swapped the file in, a reader
    would keep reading the old, deleted one. So each reader gets its own in-memory instance
    with the file ATTACHed read-only: it reads the file that is live now, and an older
    connection keeps its own file until its last cursor is gone. `USE` is per connection: a
    cursor of this connection must run `USE warehouse` itself (dashboard.data does).
    """
    con = duckdb.connect(":memory:")
    con.execute("ATTACH ? AS warehouse (READ_ONLY)", [str(warehouse)])
    con.execute("USE warehouse")
    return con
