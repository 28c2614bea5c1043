"""The warehouse as it was on a date: a vintage, built on a reader's connection.

`as_of = D` means, per project, the newest accepted snapshot with an extract date on or
before D (ops.snapshot_history) and the trajectory row versions that snapshot held
(raw.trajectory_versions). A vintage is an in-memory catalog beside the attached warehouse:
the bookkeeping is a view of the warehouse's tables, raw.trajectories and ops.snapshots are
rebuilt for D, the site's reference tables are the versions in force when D's snapshots were
loaded (ops.reference_versions), and the staging and marts models run on them unchanged.
The connection then USEs it, so the metrics layer, the published figures and every query read
the vintage through the one name they always read (marts.fct_trajectories): no copy of a query.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import polars as pl

from pipelines.macros import install_macros
from pipelines.sql import load_sql
from pipelines.warehouse import build_models, dataset_names, init_dataset
from werkpad.contract import Contract, all_contracts, default_contract
from werkpad.sql import quote_ident


class NoDataYet(Exception):
    """No project had an accepted snapshot on the chosen date."""


class NoHistoryYet(NoDataYet):
    """The warehouse was written by a werkpad from before history: its next load starts it."""


def use_vintage(con: duckdb.DuckDBPyConnection, as_of: dt.date, source: str = "warehouse") -> str:
    """Build the vintage of `as_of` from the attached catalog `source`, USE it and return its
    name; raises NoDataYet when no project had data by then."""
    if not _count(con, "vintage/history_kept", {"source": source}):
        raise NoHistoryYet(as_of)
    name = f"vintage_{as_of:%Y%m%d}"
    con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {quote_ident(name)}")
    con.execute(f"USE {quote_ident(name)}")
    if _count(con, "vintage/tables_in", {"catalog": name}):
        return name  # built before on this connection
    for schema in ("raw", "staging", "marts", "ops"):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    rebuilt = _kept(con, source)
    rebuilt_names = [f"{s}.{c.warehouse[r]}" for c in rebuilt for s, r in REBUILT]
    tables = con.execute(
        load_sql("vintage/source_tables"), {"source": source, "rebuilt": rebuilt_names}
    ).fetchall()
    for schema, table in tables:
        target = f"{quote_ident(schema)}.{quote_ident(table)}"
        con.execute(f"CREATE VIEW {target} AS SELECT * FROM {quote_ident(source)}.{target}")
    for contract in rebuilt:
        names = dataset_names(contract)
        con.execute(load_sql("vintage/snapshots").format(**names), {"as_of": as_of})
        if contract is rebuilt[0] and not _count(con, "vintage/projects"):
            con.execute(f"USE {quote_ident(source)}")
            con.execute(f"DETACH {quote_ident(name)}")
            raise NoDataYet(as_of)
        con.execute(load_sql("vintage/snapshot_rows").format(**names))
    for contract in all_contracts():  # a warehouse from before a contract: its tables, empty
        if contract not in rebuilt:
            init_dataset(con, contract)
    _reference_in_force(con, source)
    install_macros(con, default_contract())
    build_models(con)
    return name


# what a vintage rebuilds of each contract, as (schema, its `warehouse` role): the live rows
# and the live snapshot of each project; the history they are rebuilt from stays a view
REBUILT = (("raw", "table"), ("ops", "snapshots"))


def _kept(con: duckdb.DuckDBPyConnection, source: str) -> list[Contract]:
    """The contracts whose history the warehouse keeps, trajectories first (a warehouse from
    before the placements contract has none of it until its next load)."""
    rows = con.execute(load_sql("vintage/ops_tables"), {"source": source}).fetchall()
    present = {table for (table,) in rows}
    return [c for c in all_contracts() if c.warehouse["history"] in present]


def _reference_in_force(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Replace the views of the site's reference tables by the versions in force when the
    vintage's snapshots were loaded, typed as the warehouse's tables are (a version keeps its
    rows as JSON; a column added to a table since is empty in an older version)."""
    for table, rows in con.execute(load_sql("vintage/reference_in_force")).fetchall():
        target = f"raw.{quote_ident('ref_' + table)}"
        con.execute(f"DROP VIEW IF EXISTS {target}")
        con.execute(
            f"CREATE TABLE {target} AS SELECT * FROM {quote_ident(source)}.{target} LIMIT 0"
        )
        version = pl.DataFrame(json.loads(rows), infer_schema_length=None)
        present = {d[0] for d in con.execute(f"SELECT * FROM {target} LIMIT 0").description}
        kept = [c for c in version.columns if c in present]
        if version.height and kept:
            con.register("reference_version", version.select(kept))
            con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM reference_version")
            con.unregister("reference_version")


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> int:
    row = con.execute(load_sql(sql), params or {}).fetchone()
    return int(row[0]) if row else 0
