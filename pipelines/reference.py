"""The site's reference tables, checked before any extract (data_contracts/reference.yaml).

Every load reads the site's reference files (werkpad.site), checks them with Great
Expectations in the contract's order (a foreign code is checked against the candidate tables
before it), and then either accepts them all, or none:

- accepted: they become the loader's `ref_<table>` tables, are written into the warehouse
  (raw.ref_<table>) and, when a file changed, kept as a version with the run that accepted it
  (raw.reference_versions), so which partner existed when is history;
- refused: each bad file gets a report in quarantine (file, row, column, rule; never a value)
  and the run exits 3, while the warehouse's last accepted tables stay live and the extracts
  are checked against them. The site's file stays where it is, for the steward to correct.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import yaml

from pipelines.findings import FileResult, Finding
from pipelines.sql import load_sql
from pipelines.suite import Check, plain_sql
from pipelines.validate import run_suite
from werkpad.config import CONTRACTS_DIR
from werkpad.contract import default_contract
from werkpad.metrics import load_metrics
from werkpad.site import Site
from werkpad.sql import quote_ident, sql_list

REFERENCE_CONTRACT = CONTRACTS_DIR / "reference.yaml"
ENCODINGS = ("utf-8-sig", "cp1252")  # as the extracts may be written
TEXT = "__text"


@dataclass(frozen=True)
class Table:
    """One reference table of the contract."""

    name: str
    key: str  # what other tables' `reference` columns name ("" when none may)
    columns: tuple[dict[str, Any], ...]
    rules: tuple[dict[str, Any], ...]
    file: str | None = None  # in the site folder; None: reference/<name>.csv
    optional: bool = False  # may be absent: then the table is empty

    def path(self, site: Site) -> Path:
        return site.root / self.file if self.file else site.reference_file(self.name)

    @property
    def label(self) -> str:
        return self.file or f"{self.name}.csv"

    @property
    def column_names(self) -> list[str]:
        return [c["name"] for c in self.columns]


@cache
def reference_contract(path: Path = REFERENCE_CONTRACT) -> tuple[Table, ...]:
    """The tables in checking order; names are lower-case identifiers (they go into SQL)."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    tables = []
    for name, table in spec["tables"].items():
        for column in table["columns"]:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", column["name"]):
                raise ValueError(f"{name}.{column['name']}: names are lower-case identifiers")
        tables.append(
            Table(
                name,
                table.get("key", ""),
                tuple(table["columns"]),
                tuple(table.get("rules", ())),
                table.get("file"),
                bool(table.get("optional", False)),
            )
        )
    return tuple(tables)


class UnreadableFile(ValueError):
    """A reference file that is no text table: the finding says which rule it breaks."""

    def __init__(self, finding: Finding):
        super().__init__(finding.rule)
        self.finding = finding


COLUMN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")  # anything else is no column of ours


def read_table(path: Path) -> tuple[pl.DataFrame, str]:
    """A reference file as text columns with its spreadsheet row number (header = 1) and
    its content hash; UTF-8 (BOM or not) or cp1252, `,` or `;`. A file that is no such table
    (another encoding, NUL bytes, a cell beyond the csv module's limit) raises UnreadableFile."""
    raw = path.read_bytes()
    text = next((t for t in map(partial(_decoded, raw), ENCODINGS) if t is not None), None)
    if text is None or "\x00" in text:
        raise UnreadableFile(Finding("file.encoding", "the file is text in UTF-8 or Windows-1252"))
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:  # a cell longer than the csv module takes, a stray NUL
        raise UnreadableFile(
            Finding("file.unreadable", "the file is a table of short text cells")
        ) from None
    names = [n.strip() if COLUMN_NAME.fullmatch(n.strip()) else "" for n in rows[0]] if rows else []
    body = [r for r in rows[1:] if any(cell.strip() for cell in r)]
    numbers = [i + 2 for i, r in enumerate(rows[1:]) if any(cell.strip() for cell in r)]
    data: dict[str, list] = {"_row_number": numbers}
    for i, name in enumerate(names):
        if name and name not in data:
            data[name] = [r[i].strip() if i < len(r) and r[i].strip() else None for r in body]
    frame = pl.DataFrame(data, schema=dict.fromkeys(data, pl.String) | {"_row_number": pl.Int64})
    return frame, hashlib.sha256(raw).hexdigest()


def _decoded(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def _typed(table: Table, present: list[str]) -> str:
    """The select list: dates parsed (their text kept to tell a bad date from none)."""
    parts = ["_row_number"]
    for column in table.columns:
        name = column["name"]
        if name not in present:
            continue
        q = quote_ident(name)
        if column.get("type") == "date":
            parts += [f"TRY_CAST({q} AS DATE) AS {q}", f"{q} AS {quote_ident(name + TEXT)}"]
        elif column.get("type") == "number":  # 0.65 or, as Belgian spreadsheets write, 0,65
            number = f"TRY_CAST(replace({q}, ',', '.') AS DOUBLE) AS {q}"
            parts += [number, f"{q} AS {quote_ident(name + TEXT)}"]
        else:
            parts.append(q)
    return ", ".join(parts)


def _query(condition: str) -> str:
    return f"SELECT _row_number FROM {{batch}} WHERE coalesce(({condition}), false)"


def table_checks(table: Table, present: list[str], keys: dict[str, str]) -> list[Check]:
    """The checks of one table's columns and rules, over its typed candidate."""
    checks = [Check("table.at_least_one_row", "the file has at least one data row", ())]
    for column in table.columns:
        c, q = column["name"], quote_ident(column["name"])
        checks.append(Check(f"{c}.exists", f"the file has a column {c}", (c,)))
        if c not in present:
            continue
        typed = column.get("type") in ("date", "number")
        text = quote_ident(c + TEXT) if typed else q
        rules = []
        if column.get("required"):
            rules.append(("required", f"{c} is filled in on every row", f"{text} IS NULL"))
        if column.get("type") == "date":
            bad_date = f"{text} IS NOT NULL AND {q} IS NULL"
            rules.append(("date", f"{c} is a date (YYYY-MM-DD)", bad_date))
        if column.get("type") == "number":
            bad_number = f"{text} IS NOT NULL AND ({q} IS NULL OR NOT isfinite({q}))"
            rules.append(("number", f"{c} is a number (0.65 or 0,65)", bad_number))
        if column.get("unique"):
            twice = f"SELECT {q} FROM {{batch}} GROUP BY {q} HAVING count(*) > 1"
            rules.append(("unique", f"{c} is unique in the file", f"{q} IN ({twice})"))
        if column.get("reference"):
            other = column["reference"]
            known = f"SELECT {quote_ident(keys[other])} FROM ref_{other}"
            rules.append(("reference", f"{c} is a code of {other}.csv", f"{q} NOT IN ({known})"))
        if column.get("values_of"):
            values = default_contract().categories(column["values_of"])
            listed = f"{q} NOT IN ({sql_list(values)})"
            rules.append(("values", f"{c} is one of {', '.join(values)}", listed))
        checks += [Check(f"{c}.{kind}", desc, (c,), _query(cond)) for kind, desc, cond in rules]
    for rule in table.rules:
        if set(rule["columns"]) <= set(present):
            condition = " ".join(rule["when"].split())
            checks.append(
                Check(rule["name"], rule["description"], tuple(rule["columns"]), _query(condition))
            )
    return checks


def check_site(
    con: duckdb.DuckDBPyConnection, site: Site, work: Path
) -> tuple[list[FileResult], dict[str, str]]:
    """Check every reference file; the candidates are left as `ref_<table>` in `con`.
    Returns a result per refused file (none when all pass) and each file's hash."""
    refused, hashes = [], {}
    keys = {t.name: t.key for t in reference_contract()}
    _metric_catalog(con)
    for table in reference_contract():
        label, path = table.label, table.path(site)
        if not path.is_file() and table.optional:  # a site without targets, say
            _candidate(con, table, _empty(table))
            hashes[table.name] = ""
            continue
        if not path.is_file():
            finding = Finding("file.missing", f"the site has {path.relative_to(site.root)}")
            refused.append(FileResult(label, "refused", findings=[finding]))
            con.execute(f"CREATE OR REPLACE TABLE ref_{table.name} AS SELECT 1 WHERE false")
            continue
        try:
            frame, hashes[table.name] = read_table(path)
        except UnreadableFile as error:
            refused.append(FileResult(label, "refused", findings=[error.finding]))
            con.execute(f"CREATE OR REPLACE TABLE ref_{table.name} AS SELECT 1 WHERE false")
            continue
        present = _candidate(con, table, frame)
        checks = table_checks(table, present, keys)
        name = f"ref_{table.name}"
        outcome = run_suite(con, name, checks, name, work / table.name)
        findings = [
            _finding(con, check, table, outcome.failed[check.rule])
            for check in checks
            if check.rule in outcome.failed
        ]
        if findings:
            refused.append(
                FileResult(label, "refused", findings=findings, sha256=hashes[table.name])
            )
    return refused, hashes


def _empty(table: Table) -> pl.DataFrame:
    schema = {"_row_number": pl.Int64} | dict.fromkeys(table.column_names, pl.String)
    return pl.DataFrame(schema=schema)


def _candidate(con: duckdb.DuckDBPyConnection, table: Table, frame: pl.DataFrame) -> list[str]:
    """The file's rows, typed, as the loader's `ref_<table>`; returns the contract's
    columns the file has."""
    present = [c for c in frame.columns if c in table.column_names]
    con.register("reference_file", frame)
    con.execute(
        f"CREATE OR REPLACE TABLE ref_{table.name} AS "
        f"SELECT {_typed(table, present)} FROM reference_file"
    )
    con.unregister("reference_file")
    return present


def _metric_catalog(con: duckdb.DuckDBPyConnection) -> None:
    """metrics.yaml's metrics as a table the contract's rules can read (a target names one)."""
    catalog = pl.DataFrame(
        [
            {
                "name": m.name,
                "type": m.type,
                "targetable": m.type == "count" or m.type == "ratio" and m.interval == "wilson",
            }
            for m in load_metrics()
        ]  # fmt: skip
    )
    con.register("metric_catalog_frame", catalog)
    con.execute("CREATE OR REPLACE TABLE metric_catalog AS SELECT * FROM metric_catalog_frame")
    con.unregister("metric_catalog_frame")


def _finding(con, check: Check, table: Table, count: int) -> Finding:
    """File, rule, columns and the first row numbers (never a value)."""
    rows: tuple[int, ...] = ()
    if check.query:
        sql = plain_sql(check.query, f"ref_{table.name}")
        rows = tuple(r[0] for r in con.execute(sql).fetchall())
    return Finding(check.rule, check.description, count, rows, check.columns)


def accept(con: duckdb.DuckDBPyConnection, run_id: str, hashes: dict[str, str]) -> None:
    """The checked candidates become the warehouse's reference (schema `wh.raw`), and each
    file that changed since the last accepted version is kept as a new version."""
    for table in reference_contract():
        name = f"ref_{table.name}"
        columns = ", ".join(quote_ident(c) for c in table.column_names if _has(con, name, c))
        con.execute(f"CREATE OR REPLACE TABLE wh.raw.{name} AS SELECT {columns} FROM {name}")
        latest = con.execute(load_sql("ops/reference_latest"), [table.name]).fetchall()
        if not latest or latest[0][0] != hashes[table.name]:
            rows = con.sql(f"SELECT {columns} FROM {name} ORDER BY _row_number").pl()
            con.execute(
                load_sql("ops/reference_version_record"),
                {"table_name": table.name, "run_id": run_id, "sha256": hashes[table.name],
                 "rows": json.dumps(rows.to_dicts(), default=str)},
            )  # fmt: skip


def fall_back(con: duckdb.DuckDBPyConnection) -> bool:
    """The warehouse's last accepted reference as the loader's `ref_<table>` tables; False
    when none was ever accepted."""
    for table in reference_contract():
        name = f"ref_{table.name}"
        found = con.execute(load_sql("ops/reference_exists"), [name]).fetchall()
        if not found[0][0] and table.optional:  # accepted before the table was in the contract
            _candidate(con, table, _empty(table))
            continue
        if not found[0][0]:
            return False
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM wh.raw.{name}")
    return True


def _has(con, table: str, column: str) -> bool:
    return column in [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
