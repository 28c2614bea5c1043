"""Install the shared SQL macros (typing and privacy) on a DuckDB connection."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from werkpad.contract import Contract
from werkpad.sql import load_sql


def sql_list(values: Iterable[str]) -> str:
    """A SQL list of string literals; quotes are doubled, so any contract value is safe."""
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def install_macros(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Create (or replace) the typing and privacy macros the models and suite use."""
    con.execute(
        load_sql("macros/contract").format(
            date_formats="[" + sql_list(contract.file["date_formats"]) + "]",
            true_tokens=sql_list(contract.boolean_tokens(True)),
            false_tokens=sql_list(contract.boolean_tokens(False)),
        )
    )
    con.execute(load_sql("macros/privacy"))
    con.execute(load_sql("macros/metrics"))
