"""One faulty extract for each way a partner extract goes wrong.

Each fault names the rule the pipeline must refuse it for, so the tests can check that every
faulty file is refused for the right reason. Faulty files are dated after the good sample, so
each one is a candidate to replace a good snapshot and shows that the last good data stays live.
To add a fault: write a function taking (good frame, output folder, extract date) and register
it in FAULTS with the rule it breaks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import polars as pl
import xlsxwriter

from sample_data.generator import Style
from sample_data.writer import as_text, write_extract
from werkpad.contract import default_contract, placements_contract

PLAIN = Style()


def _dated(frame: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    return frame.with_columns(pl.lit(day).alias("extract_date"))


def _with_cell(frame: pl.DataFrame, column: str, row: int, value: str) -> pl.DataFrame:
    text = as_text(frame, PLAIN)
    return text.with_columns(
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.lit(value))
        .otherwise(pl.col(column))
        .alias(column)
    )


def insz_number(birth: dt.date, serial: int) -> str:
    """A Belgian national register number with a valid mod-97 check (both century rules)."""
    base = int(f"{birth:%y%m%d}{serial:03d}")
    if birth.year >= 2000:
        base += 2_000_000_000
    check = 97 - base % 97
    return f"{birth:%y.%m.%d}-{serial:03d}.{check:02d}"


def iban_be(account: int) -> str:
    """A Belgian IBAN with valid check digits."""
    bban = f"{account:010d}{account % 97 or 97:02d}"
    check = 98 - int(bban + "111400") % 97
    raw = f"BE{check:02d}{bban}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _privacy_cell(value: str, column: str = "trajectory_id") -> Callable:
    def write(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
        return write_extract(_with_cell(_dated(frame, day), column, 3, value), out, PLAIN)

    return write


def _personal_column(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
    names = ["An", "Bart", "Chloé", "Dirk", "Els"]
    frame = _dated(frame, day).with_columns(
        pl.Series("voornaam", [names[i % len(names)] for i in range(frame.height)])
    )
    return write_extract(frame, out, PLAIN)


def _missing_column(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
    return write_extract(_dated(frame, day).drop("referral_source"), out, PLAIN)


def _wrong_delimiter(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
    return write_extract(_dated(frame, day), out, Style(delimiter="\t"))


def _wrong_encoding(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
    return write_extract(_dated(frame, day), out, Style(encoding="utf-16"))


def _truncated(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
    path = write_extract(_dated(frame, day), out, PLAIN)
    data = path.read_bytes()
    cut = int(len(data) * 0.6)
    cut = data.index(b",", data.index(b"\n", cut) + 1)  # stop mid-row, just after a field
    path.write_bytes(data[:cut])
    return path


def _duplicate_ids(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
    ids = frame["trajectory_id"].to_list()
    ids[5] = ids[9] = ids[2]
    return write_extract(
        _dated(frame, day).with_columns(pl.Series("trajectory_id", ids)), out, PLAIN
    )


def _dates_out_of_order(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
    frame = _dated(frame, day)
    bad = pl.col("decision_on").is_not_null() & (pl.int_range(pl.len()) % 7 == 0)
    frame = frame.with_columns(
        pl.when(bad)
        .then(pl.col("decision_on"))
        .otherwise(pl.col("reached_on"))
        .alias("reached_on"),
        pl.when(bad)
        .then(pl.col("reached_on"))
        .otherwise(pl.col("decision_on"))
        .alias("decision_on"),
    )
    return write_extract(frame, out, PLAIN)


def _unknown_codes(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
    frame = _with_cell(_dated(frame, day), "partner_code", 4, "XXX-UNKNOWN-1")
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 6)
        .then(pl.lit("Q"))
        .otherwise(pl.col("gender"))
        .alias("gender")
    )
    return write_extract(frame, out, PLAIN)


def _header_only(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
    name = default_contract().file_name(frame["project_code"][0], day)
    return write_extract(_dated(frame, day).head(0), out, PLAIN, name=name)


def _wrong_file_name(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
    name = f"{frame['project_code'][0].lower()} export {day:%Y-%m-%d}.csv"
    return write_extract(_dated(frame, day), out, PLAIN, name=name)


def _future_date(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
    """Dated far ahead: it would supersede every real delivery until then."""
    return write_extract(_dated(frame, dt.date(2099, 12, 31)), out, PLAIN)


def _hostile_header(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
    """A column name that tries to end the loader's SQL and run its own."""
    text = as_text(_dated(frame, day), PLAIN)
    return write_extract(text.rename({"gender": 'gender"; DROP TABLE raw.trajectories; --'}), out)


def _mixed_line_endings(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
    """Rows pasted in from another program: some lines end in CRLF, the rest in LF."""
    path = write_extract(_dated(frame, day), out, PLAIN)
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\r\n".join(lines[:10]) + b"\r\n" + b"\n".join(lines[10:]))
    return path


def _second_sheet(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
    """A workbook with a second sheet of notes: only one sheet is read, so it is refused."""
    text = as_text(_dated(frame, day), PLAIN)
    path = out / default_contract().file_name(frame["project_code"][0], day, "xlsx")
    with xlsxwriter.Workbook(path) as book:
        text.write_excel(book, worksheet="extract", autofit=False)
        text.head(3).write_excel(book, worksheet="notes", autofit=False)
    return path


# fault name -> (rule the pipeline must name, writer)
FAULTS: dict[str, tuple[str, Callable[[pl.DataFrame, Path, dt.date], Path]]] = {
    "privacy_column": ("privacy.personal_column", _personal_column),
    "privacy_insz": ("privacy.insz", _privacy_cell(insz_number(dt.date(1985, 3, 12), 123))),
    "privacy_insz_2000": ("privacy.insz", _privacy_cell(insz_number(dt.date(2003, 7, 1), 45))),
    "privacy_email": ("privacy.email", _privacy_cell("an.peeters@example.be")),
    "privacy_phone": ("privacy.phone", _privacy_cell("0472 12 34 56")),
    "privacy_iban": ("privacy.iban", _privacy_cell(iban_be(1234567890))),
    "missing_column": ("referral_source.exists", _missing_column),
    "wrong_delimiter": ("file.delimiter", _wrong_delimiter),
    "wrong_encoding": ("file.encoding", _wrong_encoding),
    "truncated": ("file.malformed_rows", _truncated),
    "duplicate_ids": ("trajectory_id.unique", _duplicate_ids),
    "dates_out_of_order": ("dates_in_order", _dates_out_of_order),
    "unknown_codes": ("partner_code.reference", _unknown_codes),
    "header_only": ("table.at_least_one_row", _header_only),
    "wrong_file_name": ("file.name", _wrong_file_name),
    "future_date": ("file.future_date", _future_date),
    "hostile_header": ("file.header", _hostile_header),
    "mixed_line_endings": ("file.line_endings", _mixed_line_endings),
    "second_sheet": ("file.sheets", _second_sheet),
}


def write_faulty(
    frames: dict[str, pl.DataFrame], out_dir: Path, after: dt.date, rows: int = 60
) -> dict[Path, str]:
    """Write every fault, each on a small slice of a good project frame; return path -> rule."""
    out_dir.mkdir(parents=True, exist_ok=True)
    projects = sorted(frames)
    written = {}
    for i, (rule, write) in enumerate(FAULTS.values()):
        frame = frames[projects[i % len(projects)]].head(rows)
        day = after + dt.timedelta(days=1 + i)
        written[write(frame, out_dir, day)] = rule
    return written


# ---- placements (data_contracts/placements.yaml) ----------------------------------------


def _placements_written(frame: pl.DataFrame, out: Path) -> Path:
    return write_extract(frame, out, PLAIN, contract=placements_contract())


def _placement_cell(column: str, value: str, running: bool | None = None) -> Callable:
    """A writer that sets one cell, on a running placement (ended_on empty), an ended one, or
    the fourth row."""

    def write(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
        frame = _dated(frame, day)
        row = 3
        if running is not None:
            wanted = frame["ended_on"].is_null() if running else frame["ended_on"].is_not_null()
            row = int(wanted.arg_true()[0])
        return _placements_written(_with_cell(frame, column, row, value), out)

    return write


def _placement_dates(column: str, shift: Callable[[pl.Expr], pl.Expr]) -> Callable:
    """A writer that moves a date of every fifth ended placement."""

    def write(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
        frame = _dated(frame, day)
        bad = pl.col("ended_on").is_not_null() & (pl.int_range(pl.len()) % 5 == 0)
        frame = frame.with_columns(pl.when(bad).then(shift(pl.col(column))).otherwise(
            pl.col(column)).alias(column))  # fmt: skip
        return _placements_written(frame, out)

    return write


def _placements_personal_column(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
    names = ["Bakkerij Peeters", "Garage Janssens", "Tuincentrum Maes"]
    frame = _dated(frame, day).with_columns(
        pl.Series("bedrijfsnaam", [names[i % len(names)] for i in range(frame.height)])
    )
    return _placements_written(frame, out)


def _placements_duplicate_ids(frame: pl.DataFrame, out: Path, day: dt.date) -> Path:
    ids = frame["placement_id"].to_list()
    ids[4] = ids[1]
    return _placements_written(_dated(frame, day).with_columns(pl.Series("placement_id", ids)), out)


# fault name -> (rule the pipeline must name, writer); each on a good placements frame
PLACEMENT_FAULTS: dict[str, tuple[str, Callable[[pl.DataFrame, Path, dt.date], Path]]] = {
    "placements_company_name": (
        "employer_key.pattern",
        _placement_cell("employer_key", "Bakkerij Peeters"),
    ),
    "placements_personal_column": ("privacy.personal_column", _placements_personal_column),
    "placements_unknown_trajectory": (
        "trajectory_in_live_snapshot",
        _placement_cell("trajectory_id", "WIZ-ANT-1999-0000001"),
    ),
    "placements_before_first_contact": (
        "started_after_reached",
        _placement_cell("started_on", "2000-01-03"),
    ),
    "placements_end_before_start": (
        "ended_after_started",
        _placement_dates("ended_on", lambda c: c - pl.duration(days=400)),
    ),
    "placements_after_extract": (
        "no_date_after_extract",
        _placement_cell("started_on", "2099-06-30", running=True),
    ),
    "placements_hired_while_running": (
        "hired_needs_end",
        _placement_cell("hired_by_employer", "true", running=True),
    ),
    "placements_reason_without_end": (
        "end_reason.required_when",
        _placement_cell("end_reason", "completed", running=True),
    ),
    "placements_unknown_sector": (
        "employer_sector.values",
        _placement_cell("employer_sector", "Z"),
    ),
    "placements_unknown_region": (
        "employer_region_code.reference",
        _placement_cell("employer_region_code", "XXX-NOPE"),
    ),
    "placements_duplicate_ids": ("placement_id.unique", _placements_duplicate_ids),
    "placements_other_project": ("one_project_code", _placement_cell("project_code", "WGTW-ANT")),
    # a company number (KBO/BCE) is never a pseudonymous key: the guard names what it is
    "placements_company_number": (
        "privacy.kbo",
        _placement_cell("employer_key", "0403.170.701"),
    ),
    "placements_padded_company_number": (
        "employer_key_not_a_number",
        _placement_cell("employer_key", "0000000403170701"),
    ),
}


def write_faulty_placements(
    placements: pl.DataFrame, out_dir: Path, after: dt.date, rows: int = 40
) -> dict[Path, str]:
    """Write every placements fault on a slice of one project's good placements (dated after
    them, so each would replace them); return path -> rule."""
    out_dir.mkdir(parents=True, exist_ok=True)
    frame = placements.tail(rows)  # the newest: some still running, some ended
    written = {}
    for i, (rule, write) in enumerate(PLACEMENT_FAULTS.values()):
        written[write(frame, out_dir, after + dt.timedelta(days=1 + i))] = rule
    return written
