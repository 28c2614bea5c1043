"""GX runs our checks on the loader's in-memory table and counts what we count.

GX 1.x knows no DuckDB dialect; pipelines.validate keeps its connection open and hands
it cursors of the loader's own connection. If a GX or duckdb-engine upgrade breaks either,
these counts go wrong (GX then reports every check as failed or as passed) and this fails.
"""

from __future__ import annotations

import duckdb

from pipelines.suite import Check
from pipelines.validate import run_suite


def test_gx_counts_the_rows_each_check_selects(tmp_path):
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE validated AS SELECT range + 2 AS _row_number, range AS x FROM range(10)"
    )
    checks = [
        Check("table.at_least_one_row", "at least one row", ()),
        Check("x.exists", "the file has a column x", ("x",)),
        Check("x.small", "x is below 6", ("x",), "SELECT _row_number FROM {batch} WHERE x >= 6"),
        Check("x.even", "x is even", ("x",), "SELECT _row_number FROM {batch} WHERE x % 2 = 1"),
        Check("x.known", "x is not 42", ("x",), "SELECT _row_number FROM {batch} WHERE x = 42"),
    ]
    outcome = run_suite(con, "validated", checks, "test", tmp_path / "docs")
    independent = {
        "x.small": con.execute("SELECT count(*) FROM validated WHERE x >= 6").fetchone()[0],
        "x.even": con.execute("SELECT count(*) FROM validated WHERE x % 2 = 1").fetchone()[0],
    }
    assert independent == {"x.small": 4, "x.even": 5}
    assert outcome.failed == independent
    assert outcome.counts["x.known"] == 0 and not outcome.errors
    assert outcome.docs_index is not None and outcome.docs_index.exists()
    html = "".join(p.read_text(errors="ignore") for p in (tmp_path / "docs").rglob("*.html"))
    assert "x.small" in html  # the steward's Data Docs name the rule
    con.execute("SELECT count(*) FROM validated").fetchone()  # the table is still there
