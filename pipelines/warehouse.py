"""Writing the DuckDB warehouse file without ever blocking or tearing a reader.

DuckDB lets one process write a database file and then no other process may open it, not even
read-only; and any reader blocks a writer. So the nightly load never writes the live file: it
copies it, loads into the copy, checkpoints, and swaps the copy in with os.replace(), which is
atomic. A dashboard with the old file open keeps reading the old file until it reconnects; a
process killed mid-load leaves only a stray copy, which the next load removes. One writer at a
time is guaranteed by an exclusive lock on a side file. Readers open the file through
werkpad.warehouse.connect_read_only.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipelines.macros import install_macros
from pipelines.sql import load_sql, models
from pipelines.suite import sql_type
from werkpad.contract import Contract, all_contracts
from werkpad.sql import quote_ident, sql_list
from werkpad.warehouse import LOADING_SUFFIX, OFFLINE, is_duckdb_file


@contextlib.contextmanager
def writer_lock(warehouse: Path) -> Iterator[None]:
    """Hold the one-writer lock for this warehouse; waits while another load runs."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with open(warehouse.with_name(warehouse.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class NotAWarehouse(Exception):
    """The warehouse path holds a file of another kind (a spreadsheet, a SQLite database)."""


def start_copy(warehouse: Path) -> Path:
    """A private working copy of the live warehouse (empty if there is none yet)."""
    if warehouse.is_file() and not is_duckdb_file(warehouse):
        raise NotAWarehouse(warehouse)  # before DuckDB guesses its kind (and fetches code)
    for stray in warehouse.parent.glob(warehouse.name + LOADING_SUFFIX + "*"):
        stray.unlink()  # left by a killed load; we hold the writer lock, so it is not in use
    copy = warehouse.with_name(f"{warehouse.name}{LOADING_SUFFIX}-{os.getpid()}")
    if warehouse.exists():
        try:
            shutil.copyfile(warehouse, copy)
        except BaseException:  # a full disk leaves half a copy: never leave it behind
            remove_copy(copy)
            raise
    return copy


def remove_copy(copy: Path) -> None:
    """Remove a working copy (and its write-ahead log) of a run that did not publish."""
    for path in (copy, copy.with_name(copy.name + ".wal")):
        path.unlink(missing_ok=True)


def compact(copy: Path) -> None:
    """Rewrite the working copy without its free blocks (sql/ops/compact.sql); a crash
    meanwhile leaves only stray files beside the live warehouse, which the next load removes."""
    fresh = copy.with_name(copy.name + ".compact")
    remove_copy(fresh)
    con = duckdb.connect(config=OFFLINE)
    try:
        con.execute("ATTACH ? AS loaded (READ_ONLY)", [str(copy)])
        con.execute("ATTACH ? AS compacted", [str(fresh)])
        con.execute(load_sql("ops/compact"))
        con.execute("DETACH compacted")
    except BaseException:
        con.close()
        remove_copy(fresh)
        raise
    con.close()
    os.replace(fresh, copy)


def publish(copy: Path, warehouse: Path) -> None:
    """Make the working copy the live warehouse in one atomic step, durable on disk."""
    with open(copy, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(copy, warehouse)
    directory = os.open(warehouse.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def init_schema(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Create schemas, bookkeeping tables, raw tables and macros in the current database:
    for the trajectories `contract` and every other extract contract (placements)."""
    con.execute(load_sql("ops/init_warehouse"))
    for each in (contract, *(c for c in all_contracts() if c.name != contract.name)):
        init_dataset(con, each)
    install_macros(con, contract)
    refresh_age_groups(con, contract, schema="raw")


def dataset_names(contract: Contract) -> dict[str, str]:
    """The contract's warehouse names (its `warehouse` section: table, key, versions,
    snapshots, history) as quoted identifiers, for the SQL files that take them as {name}."""
    return {role: quote_ident(name) for role, name in contract.warehouse.items()}


def init_dataset(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """One contract's raw table, its row versions and its snapshot bookkeeping; a contract
    that grew adds its optional columns; a warehouse from before history gets its live
    snapshots as the first history (ops/history_backfill)."""
    names = dataset_names(contract)
    con.execute(load_sql("ops/init_snapshots").format(**names))
    columns = ", ".join(f"{quote_ident(c.name)} {sql_type(c)}" for c in contract.columns)
    lineage = "_source_row BIGINT, _source_file VARCHAR, _source_sha256 VARCHAR, "
    con.execute(
        f"CREATE TABLE IF NOT EXISTS raw.{names['table']} ({columns}, {lineage}"
        "_loaded_at TIMESTAMP)"
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS raw.{names['versions']} ({columns}, {lineage}"
        "_loaded_at TIMESTAMP, _valid_from BIGINT NOT NULL, _valid_to BIGINT, "
        "_row_hash VARCHAR NOT NULL)"
    )
    for table in (names["table"], names["versions"]):
        for c in contract.columns:
            con.execute(
                f"ALTER TABLE raw.{table} ADD COLUMN IF NOT EXISTS {quote_ident(c.name)} "
                f"{sql_type(c)}"
            )
    backfill = load_sql("ops/history_backfill")
    con.execute(backfill.format(row_hash=row_hash(contract, "live"), **names))


# what a row version (a trajectory's, a placement's) is compared by: every contract column but
# the extract date, which every snapshot changes
UNVERSIONED = ("extract_date",)


def row_hash(contract: Contract, alias: str) -> str:
    """SQL for the hash of a row's contract columns (table alias `alias`) as JSON, so a NULL
    and the text 'NULL' differ: two snapshots hold the same version of a trajectory exactly
    when these agree."""
    pairs = ", ".join(
        f"{quote_ident(c.name)} := {quote_ident(alias)}.{quote_ident(c.name)}"
        for c in contract.columns
        if c.name not in UNVERSIONED
    )
    return f"md5(to_json(struct_pack({pairs})))"


def refresh_age_groups(con: duckdb.DuckDBPyConnection, contract: Contract, schema: str) -> None:
    """The age-band rollup of the contract, as `<schema>.ref_age_groups`. (The site's own
    reference tables are checked and written by pipelines.reference.)"""
    rollup = contract.column("age_band").rollup
    rows = ", ".join(f"({sql_list([band])}, {sql_list([group])})" for band, group in rollup.items())
    con.execute(
        f"CREATE OR REPLACE TABLE {schema}.ref_age_groups AS "
        f"SELECT * FROM (VALUES {rows}) AS t(age_band, age_group)"
    )


def build_models(con: duckdb.DuckDBPyConnection) -> None:
    """Staging as views, marts as tables (the dashboard reads marts; tables keep it fast)."""
    for name in models("staging"):
        con.execute(f"CREATE OR REPLACE VIEW {name.replace('/', '.')} AS {load_sql(name)}")
    for name in models("marts"):
        con.execute(f"CREATE OR REPLACE TABLE {name.replace('/', '.')} AS {load_sql(name)}")
