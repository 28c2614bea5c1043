"""Read a partner extract (CSV or XLSX) into a DuckDB table of text columns.

Sniff, don't ask: the encoding (UTF-8 with or without BOM, or Windows-1252) and the delimiter
(one of the contract's) are found from the file itself. Every value is kept as text; typing is
the validation suite's job, so a bad date is reported as a rule, not a crash. The table gets a
`_row_number` column with the spreadsheet row number (header is row 1) for reports.

Errors never quote the file's content: DuckDB's own parse errors carry cell values, so they are
caught and replaced by a finding with line numbers only.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import duckdb
import polars as pl

from werkpad.contract import Contract
from werkpad.pipelines.findings import Finding, RefusedFile

TABLE = "extract"


def read_extract(
    con: duckdb.DuckDBPyConnection, path: Path, contract: Contract, work_dir: Path
) -> list[str]:
    """Create table `extract` from the file; return its header. Raises RefusedFile."""
    con.execute(f"DROP TABLE IF EXISTS {TABLE}")
    con.execute("DROP TABLE IF EXISTS reject_errors")
    con.execute("DROP TABLE IF EXISTS reject_scans")
    if path.suffix.lower() == ".xlsx":
        _read_xlsx(con, path)
    else:
        _read_csv(con, path, contract, work_dir)
    columns = [c for c in con.table(TABLE).columns if c != "_row_number"]
    return columns


def _read_xlsx(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    try:
        frame = pl.read_excel(path, engine="calamine", infer_schema_length=0)
    except Exception as exc:  # the reader's message may quote cells: name the type only
        raise RefusedFile(
            [Finding("file.unreadable", f"not a readable XLSX workbook ({type(exc).__name__})")]
        ) from None
    frame = frame.rename({c: c.strip() for c in frame.columns})
    frame = frame.select(pl.all().cast(pl.String)).with_row_index("_row_number", offset=2)
    frame = frame.with_columns(pl.col("_row_number").cast(pl.Int64))
    con.register("_xlsx_frame", frame)
    con.execute(f"CREATE TABLE {TABLE} AS SELECT * FROM _xlsx_frame")
    con.unregister("_xlsx_frame")


def _decode_check(data: bytes) -> str:
    """The encoding of the file, or a RefusedFile naming why none of the allowed ones fits."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        raise RefusedFile(
            [
                Finding(
                    "file.encoding",
                    "the file is UTF-16 or binary; export it as UTF-8 or Windows-1252 text",
                )
            ]
        )
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        raise RefusedFile(
            [Finding("file.encoding", "the file is neither UTF-8 nor Windows-1252 text")]
        ) from None


def _read_csv(
    con: duckdb.DuckDBPyConnection, path: Path, contract: Contract, work_dir: Path
) -> None:
    data = path.read_bytes()
    encoding = _decode_check(data)
    source = path
    if encoding == "cp1252":
        source = work_dir / "transcoded.csv"
        source.write_text(data.decode("cp1252"), encoding="utf-8")
    header = data.split(b"\n", 1)[0].decode(encoding).lstrip("\ufeff")
    del data
    delimiter = _sniff_delimiter(header, contract.file["delimiters"])
    names = [n.strip().strip('"').strip() for n in header.rstrip("\r").split(delimiter)]
    columns = "{" + ", ".join(f"'{i}': 'VARCHAR'" for i in range(len(names))) + "}"
    try:
        con.execute(
            f"""CREATE TABLE {TABLE} AS
            SELECT (row_number() OVER () + 1)::BIGINT AS _row_number, *
            FROM read_csv(?, delim = ?, header = true, quote = '"', escape = '"',
                          auto_detect = false, columns = {columns}, store_rejects = true,
                          null_padding = false, strict_mode = true)""",
            [str(source), delimiter],
        )
    except duckdb.Error as exc:
        raise RefusedFile(
            [
                Finding(
                    "file.unreadable", f"the file could not be parsed as CSV ({type(exc).__name__})"
                )
            ]
        ) from None
    finally:
        if source != path:
            source.unlink(missing_ok=True)
    _raise_on_rejects(con)
    renames = ", ".join(f'"{i}" AS "{n}"' for i, n in enumerate(names) if n.replace('"', ""))
    con.execute(f"CREATE OR REPLACE TABLE {TABLE} AS SELECT _row_number, {renames} FROM {TABLE}")


def _sniff_delimiter(header: str, allowed: list[str]) -> str:
    counts = {d: header.count(d) for d in allowed}
    best = max(counts, key=counts.get)
    if counts[best] == 0:
        raise RefusedFile(
            [
                Finding(
                    "file.delimiter",
                    "the header has none of the allowed delimiters "
                    + " ".join(repr(d) for d in allowed),
                    rows=(1,),
                )
            ]
        )
    return best


def _raise_on_rejects(con: duckdb.DuckDBPyConnection) -> None:
    rejects = con.execute(
        "SELECT DISTINCT line, error_type FROM reject_errors ORDER BY line"
    ).fetchall()
    if rejects:
        kinds = sorted({str(kind).lower() for _, kind in rejects})
        raise RefusedFile(
            [
                Finding(
                    "file.malformed_rows",
                    "rows do not have the header's number of fields (" + ", ".join(kinds) + "); "
                    "the file may be truncated or use a stray delimiter",
                    count=len({line for line, _ in rejects}),
                    rows=tuple(int(line) for line, _ in rejects),
                )
            ]
        )
