"""Install the shared SQL macros (typing and privacy) on a DuckDB connection."""

from __future__ import annotations

import duckdb

from pipelines.sql import load_sql
from werkpad.contract import Contract
from werkpad.sql import quote_ident, quote_idents, sql_list

__all__ = ["install_macros", "quote_ident", "quote_idents", "sql_list"]


def install_macros(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Create (or replace) the typing and privacy macros the models and suite use."""
    con.execute(
        load_sql("macros/contract").format(
            date_formats="[" + sql_list(contract.file["date_formats"]) + "]",
            true_tokens=sql_list(contract.boolean_tokens(True)),
            false_tokens=sql_list(contract.boolean_tokens(False)),
        )
    )
    lengths = contract.privacy.get("iban_lengths", {})
    con.execute(
        load_sql("macros/privacy").format(
            iban_lengths="MAP {"
            + ", ".join(f"{sql_list([c])}: {int(n)}" for c, n in lengths.items())
            + "}"
        )
    )
    con.execute(load_sql("macros/metrics"))
