"""Reading the DuckDB warehouse: the one way every reader (dashboard, CLI, report pack) opens it.

The nightly load (pipelines.warehouse) never writes the live file: it swaps a finished copy in
with os.replace(). A reader therefore opens whatever file is live at that moment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from werkpad.sql import load_sql

# A load's working copy is named <warehouse>.loading-<pid> beside the live file.
LOADING_SUFFIX = ".loading"
# Every connection werkpad opens: DuckDB would otherwise fetch an extension from the internet
# when a file is of another kind (a SQLite file handed over as the warehouse) or a query
# names one; the product needs none it does not ship with.
OFFLINE: dict[str, Any] = {  # typed as duckdb.connect takes it (a dict of mixed values)
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
# The first bytes of every DuckDB database file hold this at offset 8.
MAGIC, MAGIC_OFFSET = b"DUCK", 8


def is_duckdb_file(path: Path) -> bool:
    """Whether the file at `path` is a DuckDB database (or empty, to be created)."""
    with path.open("rb") as handle:
        head = handle.read(MAGIC_OFFSET + len(MAGIC))
    return not head or head[MAGIC_OFFSET:] == MAGIC


def connect_read_only(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A reader's connection to the file now at `warehouse`; it never blocks the nightly load.

    duckdb.connect(path) hands back the database instance the process already has open for
    that path while any connection to it lives, so after a load swapped the file in, a reader
    would keep reading the old, deleted one. So each reader gets its own in-memory instance
    with the file ATTACHed read-only: it reads the file that is live now, and an older
    connection keeps its own file until its last cursor is gone. `USE` is per connection: a
    cursor of this connection must run `USE warehouse` itself (dashboard.data does).
    """
    con = duckdb.connect(":memory:", config=OFFLINE)
    con.execute("ATTACH ? AS warehouse (READ_ONLY)", [str(warehouse)])
    con.execute("USE warehouse")
    return con


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether the warehouse `con` reads has the table: one written by an older werkpad lacks
    the newer tables (history, submissions) until its next load creates them."""
    # fetchall, not fetchone: DuckDB 2.0 refuses the connection's next query while a result
    # is unfinished (submissions list on a warehouse from before history stopped so)
    found = con.execute(
        load_sql("queries/has_table"), {"schema_name": schema, "table_name": table}
    ).fetchall()
    return bool(found and found[0][0])
