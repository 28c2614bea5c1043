"""Read a partner extract (CSV or XLSX) into a DuckDB table of text columns.

Sniff, don't ask: the encoding (UTF-8 with or without BOM, or Windows-1252) and the delimiter
(one of the contract's) are found from the file itself. Every value is kept as text; typing is
the validation suite's job, so a bad date is reported as a rule, not a crash. The table gets a
spreadsheet row number of each row (header is row 1) is `rowid + 2` (ROW_NUMBER): the table is
created in file order, so its row ids follow the file without a numbering pass.

A partner file is untrusted input. Before anything is parsed the file is held to the limits in
werkpad.config (size, XLSX unpacked size and compression ratio), so a zip bomb or a huge file is
refused by name; header names are checked for odd characters before any query runs, and they
reach DuckDB only as a bound parameter: the reader's statements are fixed text in
`pipelines/sql/reader/`. Errors never quote the file's content: DuckDB's own
parse errors carry cell values, so they are caught and replaced by a finding with line numbers
only, and a header is named by its position, never its text.
"""

from __future__ import annotations

import codecs
import csv
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl

from pipelines.findings import Finding, RefusedFile
from pipelines.privacy import column_label, header_findings
from pipelines.sql import load_sql
from werkpad import config
from werkpad.contract import Contract
from werkpad.sql import one_row

# The row number in the file of a row of table `extract` (header is row 1); the reader's SQL
# (pipelines/sql/reader/) and the suite's queries use the same expression.

ROW_NUMBER = "(rowid + 2)"
CHUNK = 1 << 20  # bytes read (or unpacked) at a time when a file is checked before parsing


def read_extract(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    contract: Contract,
    work_dir: Path,
    before_parse: Callable[[], object] | None = None,
) -> list[str]:
    """Create table `extract` from the file; return its header. Raises RefusedFile.

    `before_parse` runs once the file is within the size limits and before it is parsed: the
    loader starts importing GX there, so a zip bomb never costs the GX import's memory."""
    _run(con, "drop_tables")
    _check_file_size(path)
    if path.suffix.lower() == ".xlsx":
        check_xlsx_archive(path)
    if path.suffix.lower() != ".xlsx":
        _check_line_count(path)
    if before_parse:
        before_parse()
    if path.suffix.lower() == ".xlsx":
        _read_xlsx(con, path, contract)
    else:
        _read_csv(con, path, contract, work_dir)
    columns = con.table("extract").columns
    _check_table_limits(con, columns, contract)
    return columns


def _refuse(rule: str, text: str, **kw) -> RefusedFile:
    return RefusedFile([Finding(rule, text, **kw)])


def _check_file_size(path: Path) -> None:
    size = path.stat().st_size
    if size > config.MAX_FILE_BYTES:
        raise _refuse(
            "file.too_large",
            f"the file is {size / 2**20:.0f} MB; the limit is "
            f"{config.MAX_FILE_BYTES / 2**20:.0f} MB (split the export per project)",
        )


def _check_line_count(path: Path) -> None:
    """Refuse a CSV with more lines than the row limit before it is parsed: counting line ends
    in chunks costs a read of the file, parsing 30 million short rows costs gigabytes."""
    lines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            lines += chunk.count(b"\n")
            if lines > config.MAX_ROWS + 1:  # the header is a line too
                raise _refuse(
                    "file.too_many_rows",
                    f"the file has more than {config.MAX_ROWS:,} data rows; "
                    f"the limit is {config.MAX_ROWS:,}",
                )


def check_header(con: duckdb.DuckDBPyConnection, names: list[str], contract: Contract) -> None:
    """Refuse a header with too many columns or a name outside the allowed characters.

    Runs before any query names a column. The finding gives positions only: a name that breaks
    the rule may hold anything, personal data included, so the personal-data checks on header
    names (privacy.header_findings, parameters only) are reported with it.
    """
    if len(names) > config.MAX_COLUMNS:
        raise _refuse(
            "file.too_many_columns",
            f"the file has {len(names)} columns; the limit is {config.MAX_COLUMNS}",
            rows=(1,),
        )
    odd = [i + 1 for i, n in enumerate(names) if not re.fullmatch(config.HEADER_NAME_PATTERN, n)]
    if odd:
        raise RefusedFile(
            [
                Finding(
                    "file.header",
                    "a column name holds characters other than letters A-Z, digits, spaces, "
                    "'_' and '-' (quotes, punctuation, line breaks or accents); use the "
                    "contract's column names",
                    count=len(odd),
                    rows=(1,),
                    columns=tuple(f"column {i}" for i in odd),
                ),
                *header_findings(con, names, contract),
            ]
        )


def _unique(names: list[str]) -> list[str]:
    """Header names made unique (DuckDB names ignore case) and non-empty, in file order."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name or f"column_{i + 1}"
        key = name.lower()
        seen[key] = seen.get(key, 0) + 1
        out.append(name if seen[key] == 1 else f"{name}_{seen[key]}")
    return out


# -- XLSX ---------------------------------------------------------------------------------------


def _read_xlsx(con: duckdb.DuckDBPyConnection, path: Path, contract: Contract) -> None:
    try:
        sheets = pl.read_excel(
            path, sheet_id=0, has_header=False, infer_schema_length=0, raise_if_empty=False
        )
    except Exception as exc:  # the reader's message may quote cells: name the type only
        raise _refuse(
            "file.unreadable", f"not a readable XLSX workbook ({type(exc).__name__})"
        ) from None
    filled = [frame for frame in sheets.values() if frame.height]
    if len(filled) > 1:
        raise _refuse(
            "file.sheets",
            f"the workbook has {len(filled)} sheets with content; an extract is one sheet "
            "(delete the other sheets, hidden ones too)",
        )
    frame = filled[0] if filled else pl.DataFrame()
    if not frame.width:
        raise _refuse("file.unreadable", "the workbook is empty")
    frame = frame.select(pl.all().cast(pl.String))
    names = [(v or "").strip() for v in frame.row(0)]
    check_header(con, names, contract)
    frame = frame.slice(1).rename(dict(zip(frame.columns, _unique(names), strict=True)))
    con.register("_xlsx_frame", frame)
    try:
        _run(con, "from_frame")
    finally:
        con.unregister("_xlsx_frame")


def check_xlsx_archive(path: Path) -> None:
    """Refuse a workbook that unpacks to more than the limit, before any spreadsheet parser.

    The zip directory is read first (declared sizes and compression ratios); as the directory
    can lie, every entry is then unpacked in chunks, counting what really comes out and stopping
    at the limit, so memory stays at one chunk whatever the file holds.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse("file.unreadable", "not a readable XLSX workbook (not a zip file)") from None
    _check_declared_sizes(entries)
    unpacked = 0
    with path.open("rb") as handle:
        for entry in entries:
            unpacked += _unpacked_size(handle, entry, config.MAX_XLSX_UNCOMPRESSED_BYTES - unpacked)


def _too_big() -> RefusedFile:
    limit = config.MAX_XLSX_UNCOMPRESSED_BYTES / 2**20
    return _refuse(
        "file.xlsx_uncompressed",
        f"the workbook unpacks to more than {limit:.0f} MB, or far more than a spreadsheet "
        f"compresses (over {config.MAX_XLSX_COMPRESSION_RATIO} times); export it again as CSV",
    )


def _check_declared_sizes(entries: list[zipfile.ZipInfo]) -> None:
    if sum(e.file_size for e in entries) > config.MAX_XLSX_UNCOMPRESSED_BYTES:
        raise _too_big()
    for e in entries:
        ratio = e.file_size / max(e.compress_size, 1)
        if e.file_size > config.MIN_BYTES_FOR_RATIO and ratio > config.MAX_XLSX_COMPRESSION_RATIO:
            raise _too_big()


def _unpacked_size(handle, entry: zipfile.ZipInfo, budget: int) -> int:
    """Bytes one entry really unpacks to (not its declared size); refused past `budget`."""
    handle.seek(entry.header_offset)
    local = handle.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise _refuse("file.unreadable", "not a readable XLSX workbook (damaged zip entry)")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    handle.seek(entry.header_offset + 30 + name_len + extra_len)
    left = entry.compress_size
    if entry.compress_type == zipfile.ZIP_STORED:
        if left > budget:
            raise _too_big()
        return left
    if entry.compress_type != zipfile.ZIP_DEFLATED:
        raise _refuse("file.unreadable", "not a readable XLSX workbook (unknown compression)")
    inflate, size = zlib.decompressobj(-15), 0
    while left > 0 and not inflate.eof:
        data = handle.read(min(CHUNK, left))
        if not data:
            break
        left -= len(data)
        while data and not inflate.eof:
            size += len(inflate.decompress(data, CHUNK))
            if size > budget:
                raise _too_big()
            data = inflate.unconsumed_tail
    return size


# -- CSV ----------------------------------------------------------------------------------------


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
    header = header.rstrip("\r")
    if header.count('"') % 2 or "\r" in header:
        raise _refuse(
            "file.header",
            "a column name is cut by a line break or holds a stray quote; "
            "use the contract's column names",
            rows=(1,),
        )
    names = [n.strip() for n in next(csv.reader([header], delimiter=delimiter))]
    check_header(con, names, contract)
    names = _unique(names)
    _load_csv(con, path, delimiter, names)
    if _invalid_utf8(con):  # DuckDB checks UTF-8 as it reads; Windows-1252 is read once more
        source = work_dir / "transcoded.csv"
        try:
            source.write_text(path.read_bytes().decode("cp1252"), encoding="utf-8")
            _load_csv(con, source, delimiter, names, path)
        except UnicodeDecodeError:
            raise _refuse(
                "file.encoding", "the file is neither UTF-8 nor Windows-1252 text"
            ) from None
        finally:
            source.unlink(missing_ok=True)
    _raise_on_rejects(con, path)


def _load_csv(
    con: duckdb.DuckDBPyConnection,
    source: Path,
    delimiter: str,
    names: list[str],
    original: Path | None = None,
):
    _run(con, "drop_tables")
    columns = dict.fromkeys(names, "VARCHAR")  # a bound map: the names never enter SQL text
    try:
        _run(con, "read_csv", path=str(source), delimiter=delimiter, columns=columns)
    except duckdb.Error as exc:  # its message may quote the file: name the type only
        _refuse_mixed_line_endings(original or source)
        raise _refuse(
            "file.unreadable", f"the file could not be parsed as CSV ({type(exc).__name__})"
        ) from None


def _run(con: duckdb.DuckDBPyConnection, statement: str, **params: object):
    """Run `pipelines/sql/reader/<statement>.sql` with named, bound parameters."""
    return con.execute(load_sql(f"reader/{statement}"), params or None)


def mixes_line_endings(path: Path) -> bool:
    """True when the file has both CRLF (Windows) and bare LF (Unix) line endings."""
    crlf = lf = 0
    last = b""
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            data = last + chunk
            crlf += data.count(b"\r\n") - (last + chunk[:1]).count(b"\r\n")
            lf += chunk.count(b"\n")
            last = chunk[-1:]
            if crlf and lf > crlf:
                return True
    return bool(crlf) and lf > crlf


def _refuse_mixed_line_endings(path: Path) -> None:
    if mixes_line_endings(path):
        raise _refuse(
            "file.line_endings",
            "the file mixes Windows (CRLF) and Unix (LF) line endings, usually because rows "
            "were pasted in from another file; save it again as CSV from one program (or "
            "convert it with dos2unix) so every line ends the same way",
        )


def _invalid_utf8(con: duckdb.DuckDBPyConnection) -> bool:
    return one_row(_run(con, "invalid_encoding"))[0] > 0


def _sniff_delimiter(header: str, allowed: list[str]) -> str:
    counts = {d: header.count(d) for d in allowed}
    best = max(counts, key=counts.__getitem__)
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


def _raise_on_rejects(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    rejects = _run(con, "rejects").fetchall()
    if rejects:
        _refuse_mixed_line_endings(path)
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


# -- limits on the table ------------------------------------------------------------------------


def _check_table_limits(
    con: duckdb.DuckDBPyConnection, columns: list[str], contract: Contract
) -> None:
    """Refuse too many rows or an over-long cell (rows and column positions, never the cell)."""
    rows = one_row(_run(con, "count_rows"))[0]
    if rows > config.MAX_ROWS:
        raise _refuse(
            "file.too_many_rows",
            f"the file has {rows:,} data rows; the limit is {config.MAX_ROWS:,}",
        )
    if not columns:
        return
    hits = _run(
        con, "long_cells", max_chars=config.MAX_CELL_CHARS, listed=config.MAX_ROWS_IN_REPORT
    ).fetchall()
    if hits:
        count = hits[0][2]
        positions = sorted(
            {i for _, sizes, _ in hits for i, n in enumerate(sizes) if n > config.MAX_CELL_CHARS}
        )
        raise _refuse(
            "file.cell_too_long",
            f"a cell is longer than {config.MAX_CELL_CHARS:,} characters; the contract's "
            "columns hold codes, ids, dates and keys, never free text",
            count=count,
            rows=tuple(r for r, _, _ in hits),
            columns=tuple(column_label(columns, i, contract) for i in positions),
        )
