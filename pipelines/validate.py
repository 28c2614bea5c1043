"""Run the contract's checks as a Great Expectations suite on the loader's own DuckDB.

The typed extract is validated through GX's SQL data source, which measured ten times faster
than GX on a pandas frame for a million rows. GX reaches the table through cursors of the
loader's in-memory connection (an SQLAlchemy `creator`), so the file is typed once, in
memory, and nothing of it touches disk before it has passed. Results use the SUMMARY format
with no unexpected values, and row checks select only row numbers, so neither the results nor
the Data Docs page can quote a cell.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.suite import Check

log = logging.getLogger(__name__)

# Counts only: GX's default result formats keep sample failing values.
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 0}

_import_lock = threading.Lock()


def preload_gx() -> threading.Thread:
    """Import GX in the background: it costs seconds, which the CSV read can hide."""
    thread = threading.Thread(target=_gx, daemon=True)
    thread.start()
    return thread


def _gx():
    """Import GX once and register DuckDB as a dialect that needs a persisted connection.

    GX 1.x knows no DuckDB dialect, so it opens a connection per metric query and closes it
    before reading the rows, which DuckDB then returns empty (every expectation "fails" with an
    exception). GX keeps one connection open for the dialects it lists; DuckDB is added there.
    tests/pipelines/test_validate.py proves the counts are right, so a GX upgrade that changes
    this fails loudly.
    """
    with _import_lock:
        import great_expectations as gx
        from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

        class _DuckDBDialect(str):
            value = "duckdb"

        if "duckdb" not in engine._PERSISTED_CONNECTION_DIALECTS:
            # GX types this private tuple as its GXSqlDialect enum, which has no DuckDB member;
            # the stand-in is a str with .value, all GX reads of it
            engine._PERSISTED_CONNECTION_DIALECTS = (  # type: ignore[assignment]
                *engine._PERSISTED_CONNECTION_DIALECTS,
                _DuckDBDialect("duckdb"),
            )
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        return gx


@dataclass(frozen=True)
class Outcome:
    """Failing count per rule (0 for passing ones) and where Data Docs were written."""

    counts: dict[str, int]
    errors: dict[str, str]
    docs_index: Path | None

    @property
    def failed(self) -> dict[str, int]:
        return {rule: n for rule, n in self.counts.items() if n} | {r: 1 for r in self.errors}


def run_suite(
    con: duckdb.DuckDBPyConnection,
    table: str,
    checks: list[Check],
    suite_name: str,
    docs_dir: Path,
) -> Outcome:
    """Validate `table` of `con`; build Data Docs into docs_dir if anything fails."""
    gx = _gx()
    import duckdb_engine
    import great_expectations.expectations as gxe

    context = _ephemeral_context(gx, docs_dir.parent)
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    source = context.data_sources.add_sql(
        name="extract_db",
        connection_string="duckdb:///:memory:",  # not opened: the creator hands out cursors
        kwargs={"creator": lambda: duckdb_engine.ConnectionWrapper(con.cursor())},
    )
    batch = source.add_table_asset(
        name="extract", table_name=table
    ).add_batch_definition_whole_table("whole_file")
    suite = gx.ExpectationSuite(name=suite_name)
    for check in checks:
        suite.add_expectation(_expectation(gxe, check))
    suite = context.suites.add(suite)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite_name, data=batch, suite=suite)
    )
    try:
        result = definition.run(result_format=RESULT_FORMAT)
    finally:
        _release(source)
    counts, errors = {}, {}
    for item in result.results:
        rule = item.expectation_config.meta["rule"]
        if item.exception_info and item.exception_info.get("raised_exception"):
            errors[rule] = "the check could not run on this file"
            continue
        counts[rule] = 0 if item.success else _failing(item.result)
    docs_index = None
    if not result.success:
        docs_index = _build_docs(context, docs_dir)
    return Outcome(counts, errors, docs_index)


def _ephemeral_context(gx, work_dir: Path):
    """An ephemeral GX context whose scratch folders land in our work dir, not in /tmp.

    GX makes a temporary folder for the default docs site of every ephemeral context and never
    removes it; pointing tempfile at the load's private work dir gets it cleaned with the run.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    saved, tempfile.tempdir = tempfile.tempdir, str(work_dir)
    try:
        return gx.get_context(mode="ephemeral")
    finally:
        tempfile.tempdir = saved


def _release(source) -> None:
    """Close the cursors GX holds: its execution engine's and the data source's engine's."""
    engine = source.get_execution_engine()
    connection = getattr(engine, "_connection", None)  # the persisted one (see `_gx`)
    if connection is not None:
        connection.close()
        engine._connection = None
    engine.close()
    source.get_engine().dispose()


def _expectation(gxe, check: Check):
    meta = {"rule": check.rule}
    if check.rule == "table.at_least_one_row":
        return gxe.ExpectTableRowCountToBeBetween(min_value=1, meta=meta)
    if check.query is None:
        return gxe.ExpectColumnToExist(column=check.columns[0], meta=meta)
    return gxe.UnexpectedRowsExpectation(
        unexpected_rows_query=check.query,
        description=f"{check.rule}: {check.description}",
        meta=meta,
    )


def _failing(result: dict) -> int:
    observed = result.get("observed_value")
    return int(observed) if isinstance(observed, int) and observed > 0 else 1


def _build_docs(context, docs_dir: Path) -> Path | None:
    docs_dir.mkdir(parents=True, exist_ok=True)
    context.add_data_docs_site(
        site_name="quarantine",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    try:
        context.build_data_docs(site_names=["quarantine"])
    except Exception as exc:  # Data Docs are a help for the steward, never a reason to fail
        log.warning("Data Docs could not be built (%s)", type(exc).__name__)
        return None
    index = docs_dir / "index.html"
    return index if index.exists() else None
