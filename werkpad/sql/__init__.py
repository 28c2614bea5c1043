"""SQL lives in .sql files, named by stage; Python only loads and runs them.

Each package keeps its SQL beside its code: the pipeline's models and bookkeeping in
`pipelines/sql/` (raw, staging, marts, macros, ops), the shared core's queries here (metrics,
queries). `SqlFolder(<package>)` reads one such folder through importlib.resources, so the
same code works in a checkout and in an installed wheel. Placeholders in braces are filled
with `str.format` by the caller where a file says so; values are always bound parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import duckdb


class SqlFolder:
    """The `sql/` folder of a package: `load("marts/fct_trajectories")` is that file's text."""

    def __init__(self, package: str):
        self.root = Path(str(files(package) / "sql"))

    def load(self, name: str) -> str:
        """The SQL text of `sql/<name>.sql`; raises FileNotFoundError for an unknown name."""
        return _read(self.root, name)

    def models(self, stage: str) -> list[str]:
        """Names of the models of one stage (`staging`, `marts`), in file-name order."""
        return [f"{stage}/{p.stem}" for p in sorted((self.root / stage).glob("*.sql"))]


@cache
def _read(root: Path, name: str) -> str:
    path = (root / f"{name}.sql").resolve()
    if root.resolve() not in path.parents:
        raise ValueError(f"SQL name outside the SQL folder: {name}")
    return path.read_text(encoding="utf-8")


CORE = SqlFolder("werkpad")


def load_sql(name: str) -> str:
    """A query of the shared core (`werkpad/sql/<name>.sql`): metrics and bookkeeping reads."""
    return CORE.load(name)


def one_row(cursor: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """The row of a query that always returns exactly one (`count(*)`, `current_database()`).

    DuckDB's fetchone() promises "a row or None"; for such a query None would be a bug, so it
    fails here by saying so instead of as a TypeError wherever the row is indexed.
    """
    row = cursor.fetchone()
    if row is None:
        raise RuntimeError("a query that always returns one row returned none")
    return row


def quote_ident(name: str) -> str:
    """A column or table name as a quoted SQL identifier; the one way a name enters SQL text.

    Double quotes inside are doubled, so a header from a partner file stays a name whatever it
    holds (quotes, semicolons, comments, line breaks). Use it for every name that came from a
    file or a contract; readers also refuse odd header characters first (defence in depth).
    """
    return '"' + str(name).replace('"', '""') + '"'


def quote_idents(names: Iterable[str]) -> str:
    """Comma-separated quoted identifiers, for a select list."""
    return ", ".join(quote_ident(n) for n in names)


def sql_list(values: Iterable[str]) -> str:
    """A SQL list of string literals; quotes are doubled, so any contract value is safe."""
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)
