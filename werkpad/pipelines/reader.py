"""Read a partner extract (CSV or XLSX) into a DuckDB table of text columns.

Sniff, don't ask: the encoding (UTF-8 with or without BOM, or Windows-1252) and the delimiter
(one of the contract's) are found from the file itself. Every value is kept as text; typing is
the validation suite's job, so a bad date is reported as a rule, not a crash. The table gets a
spreadsheet row number of each row (header is row 1) is `rowid + 2` (ROW_NUMBER): the table is
created in file order, so its row ids follow the file without a numbering pass.

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
from werkpad.pipelines.macros import sql_list

TABLE = "extract"
ROW_NUMBER = "(rowid + 2)"


def read_extract(
    con: duckdb.DuckDBPyConnection, path: Path, contract: Contract, work_dir: Path
) -> list[str]:
    """Create table `extract` from the file; return its header. Raises RefusedFile."""
    con.execute(f"DROP TABLE IF EXISTS {TABLE}")
    if path.suffix.lower() == ".xlsx":
        _read_xlsx(con, path)
    else:
        _read_csv(con, path, contract, work_dir)
    columns = con.table(TABLE).columns
    return columns


def _read_xlsx(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    try:
        frame = pl.read_excel(path, engine="calamine", infer_schema_length=0)
    except Exception as exc:  # the reader's message may quote cells: name the type only
        raise RefusedFile(
            [Finding("file.unreadable", f"not a readable XLSX workbook ({type(exc).__name__})")]
        ) from None
    frame = frame.rename({c: c.strip() for c in frame.columns})
    frame = frame.select(pl.all().cast(pl.String))
    con.register("_xlsx_frame", frame)
    con.execute(f"CREATE TABLE {TABLE} AS SELECT * FROM _xlsx_frame")
    con.unregister("_xlsx_frame")


def _refuse(rule: str, text: str, **kw) -> RefusedFile:
    return RefusedFile([Finding(rule, text, **kw)])


def _read_csv(
    con: duckdb.DuckDBPyConnection, path: Path, contract: Contract, work_dir: Path
) -> None:
    with path.open("rb") as handle:
        head = handle.read(65536)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head[:4096]:
        raise _refuse(
            "file.encoding", "the file is UTF-16 or binary; export it as UTF-8 or Windows-1252 text"
        )
    first_line = head.split(b"\n", 1)[0]
    try:
        header = first_line.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        header = first_line.decode("cp1252", errors="replace")
    delimiter = _sniff_delimiter(header, contract.file["delimiters"])
    names = _unique([n.strip().strip('"').strip() for n in header.rstrip("\r").split(delimiter)])
    _load_csv(con, path, delimiter, names)
    if _invalid_utf8(con):  # DuckDB checks UTF-8 as it reads; Windows-1252 is read once more
        source = work_dir / "transcoded.csv"
        try:
            source.write_text(path.read_bytes().decode("cp1252"), encoding="utf-8")
            _load_csv(con, source, delimiter, names)
        except UnicodeDecodeError:
            raise _refuse(
                "file.encoding", "the file is neither UTF-8 nor Windows-1252 text"
            ) from None
        finally:
            source.unlink(missing_ok=True)
    _raise_on_rejects(con)


def _load_csv(con: duckdb.DuckDBPyConnection, source: Path, delimiter: str, names: list[str]):
    columns = "{" + ", ".join(f"{sql_list([n])}: 'VARCHAR'" for n in names) + "}"
    for table in (TABLE, "reject_errors", "reject_scans"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    try:
        con.execute(
            f"""CREATE TABLE {TABLE} AS
            SELECT * FROM read_csv(?, delim = ?, header = true, quote = '"', escape = '"',
                          auto_detect = false, columns = {columns}, store_rejects = true,
                          null_padding = false, strict_mode = true)""",
            [str(source), delimiter],
        )
    except duckdb.Error as exc:  # its message may quote the file: name the type only
        raise _refuse(
            "file.unreadable", f"the file could not be parsed as CSV ({type(exc).__name__})"
        ) from None


def _invalid_utf8(con: duckdb.DuckDBPyConnection) -> bool:
    return (
        con.execute(
            "SELECT count(*) FROM reject_errors WHERE error_type = 'INVALID ENCODING'"
        ).fetchone()[0]
        > 0
    )


def _unique(names: list[str]) -> list[str]:
    """Header names made unique and non-empty, so DuckDB accepts them as given."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name.replace('"', "") or f"column_{i + 1}"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


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
