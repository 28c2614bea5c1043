"""The reader on generated valid files: every allowed delimiter, encoding, date and boolean style.

Property: whatever style a partner system writes, reading the file and typing it with the
warehouse macros gives back exactly the trajectories that were written.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import duckdb
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.macros import install_macros
from pipelines.reader import ROW_NUMBER, read_extract
from pipelines.suite import typed_select
from sample_data.generator import Style, generate
from sample_data.writer import write_extract
from werkpad.contract import default_contract

CONTRACT = default_contract()
FILE = CONTRACT.file

styles = st.builds(
    Style,
    delimiter=st.sampled_from(FILE["delimiters"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    date_format=st.sampled_from(["%Y-%m-%d", "%d/%m/%Y"]),
    booleans=st.sampled_from(
        list(zip(CONTRACT.boolean_tokens(True), CONTRACT.boolean_tokens(False), strict=False))
    ),
    format=st.sampled_from(["csv", "csv", "xlsx"]),
)


def _read_typed(path: Path) -> pl.DataFrame:
    con = duckdb.connect()
    install_macros(con, CONTRACT)
    with tempfile.TemporaryDirectory() as work:
        columns = read_extract(con, path, CONTRACT, Path(work))
    return (
        con.sql(
            f"SELECT {typed_select(CONTRACT, columns, with_text=False)} FROM extract ORDER BY rowid"
        )
        .pl()
        .drop("_row_number")
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    style=styles,
    seed=st.integers(0, 10_000),
    rows=st.integers(1, 120),
    project=st.sampled_from(["WGTW-ANT", "WGTW-LIM", "WGTW-OVL", "WGTW-VBR", "WGTW-WVL"]),
)
def test_any_allowed_style_reads_back_exactly(tmp_path, style, seed, rows, project):
    frame = generate(rows, seed, dt.date(2023, 12, 31), [project])[project]
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    path = write_extract(frame, folder, style)
    assert _read_typed(path).equals(frame)


def test_row_numbers_follow_the_file(tmp_path):
    """Row numbers are spreadsheet rows (header is row 1), in file order, also when large."""
    frame = generate(300_000, 3, dt.date(2023, 12, 31), ["WGTW-ANT"])["WGTW-ANT"]
    path = write_extract(frame, tmp_path, Style())
    con = duckdb.connect()
    read_extract(con, path, CONTRACT, tmp_path)
    numbered = con.execute(f"SELECT {ROW_NUMBER}, trajectory_id FROM extract").fetchall()
    assert numbered == list(zip(range(2, frame.height + 2), frame["trajectory_id"], strict=True))
