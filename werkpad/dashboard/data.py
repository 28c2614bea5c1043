"""Query functions for the pages: one cached read-only connection, bounded result caches.

The connection is re-opened when the nightly load has swapped in a new warehouse file (its
inode changes), so the dashboard never holds the writer up and never shows a half load.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from werkpad import config, metrics
from werkpad.warehouse import connect_read_only


def warehouse_path() -> Path:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--warehouse", type=Path)
    known, _ = parser.parse_known_args(sys.argv[1:])
    env = os.environ.get("WERKPAD_WAREHOUSE")
    return known.warehouse or (Path(env) if env else config.DEFAULT_WAREHOUSE)


def _version(path: Path) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_ino, stat.st_mtime_ns


@st.cache_resource(max_entries=2)
def _connection(path: str, version: tuple[int, int]) -> duckdb.DuckDBPyConnection:
    return connect_read_only(Path(path))


def connection() -> tuple[duckdb.DuckDBPyConnection, tuple[int, int]]:
    path = warehouse_path()
    version = _version(path)
    return _connection(str(path), version), version


@st.cache_data(max_entries=256, ttl=3600)
def headline(version: tuple[int, int], filters: tuple[tuple[str, object], ...]) -> dict:
    con, _ = connection()
    return metrics.headline(con.cursor(), dict(filters))


@st.cache_data(max_entries=64, ttl=600)
def table(version: tuple[int, int], name: str) -> pl.DataFrame:
    con, _ = connection()
    from werkpad.sql import load_sql

    return con.cursor().sql(load_sql(f"dashboard/{name}")).pl()
