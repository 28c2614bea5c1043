"""Install the shared SQL macros (typing and privacy) on a DuckDB connection."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from pipelines.sql import load_sql
from werkpad.contract import Contract


def sql_list(values: Iterable[str]) -> str:
    """A SQL list of string literals; quotes are doubled, so any contract value is safe."""
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def quote_ident(name: str) -> str:
    """A column or table name as a quoted SQL identifier; the one way a name enters SQL text.

    Double quotes inside are doubled, so a header from a partner file stays a name whatever it
    holds (quotes, semicolons, comments, line breaks). Use it for every name that came from a
    file; readers also refuse odd header characters first (defence in depth).
    """
    return '"' + str(name).replace('"', '""') + '"'


def quote_idents(names: Iterable[str]) -> str:
    """Comma-separated quoted identifiers, for a select list."""
    return ", ".join(quote_ident(n) for n in names)


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
