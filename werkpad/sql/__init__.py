"""SQL lives in .sql files under this folder, named by stage; Python only loads and runs them.

`load_sql("marts/fct_trajectories")` returns the text of `sql/marts/fct_trajectories.sql`.
Placeholders in braces are filled with `str.format` by the caller where a file says so.
"""

from __future__ import annotations

from functools import cache

from werkpad.config import SQL_DIR


@cache
def load_sql(name: str) -> str:
    """Return the SQL text of `sql/<name>.sql`; raises FileNotFoundError for an unknown name."""
    path = (SQL_DIR / f"{name}.sql").resolve()
    if SQL_DIR.resolve() not in path.parents:
        raise ValueError(f"SQL name outside the SQL folder: {name}")
    return path.read_text(encoding="utf-8")


def models(stage: str) -> list[str]:
    """Names of the models of one stage (`staging`, `marts`), in file-name order."""
    return [f"{stage}/{p.stem}" for p in sorted((SQL_DIR / stage).glob("*.sql"))]
