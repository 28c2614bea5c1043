"""Text from data reaches people as text: never Markdown, never a spreadsheet formula.

File names, reasons and reports come from partners' files and the nightly load; shown as
Markdown, `![x](http://...)` in a file name would make every viewer's browser fetch an
attacker's address, and in a CSV `=HYPERLINK(...)` would run in the spreadsheet of whoever
opens the download. Pages show such text with `st.text`/`st.dataframe`, or through
`markdown_literal` where Streamlit only takes Markdown (labels, captions, notices). Every CSV
and XLSX the product writes (dashboard downloads, the report pack) goes through `csv_bytes`
and `xlsx_bytes` here, so every file a funder opens is made the same way: in columns in a
Belgian Excel, numbers as numbers, a withheld figure as the symbol, the caption and notes with it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from werkpad import disclosure
from werkpad.metrics import every_metric_name, is_rate
from werkpad.rendering.i18n import Translator, translations

# A spreadsheet reads a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character

# (separator, decimal mark) of a CSV per language: what Excel in that locale opens in columns
# with numbers as numbers. Excel in a Belgian locale (nl-BE, fr-BE) splits on `;` and reads
# `0,65` as a number; English keeps the `,` and `.` every other tool expects.
CSV_DIALECT = {"nl": (";", ","), "fr": (";", ","), "en": (",", ".")}
# Excel takes a CSV as UTF-8 (Liège, Sint-Niklaas, "é" in a name) only when it starts with a
# byte-order mark, in every locale; Python's csv (utf-8-sig), polars and pandas skip it.
CSV_ENCODING = "utf-8-sig"
CSV_DECIMALS = 10  # digits kept after the mark; more is float noise (0.30000000000000004)

# Excel number formats, locale-independent: Excel shows them with the reader's separators
COUNT_FORMAT = "#,##0"  # 3.585 in Belgium
RATE_FORMAT = "0.0%"  # 65,0% in Belgium: rates are fractions (metrics.yaml)
NUMBER_FORMAT = "#,##0.0"  # other numbers (median days, reached per partner)
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
TABLE_ROW = 2  # the table's header row (0-based): the caption in A1, a blank row, the table
COLUMN_WIDTH = (6, 60)  # characters: no column narrower than a figure, none wider than a screen
INTERVAL_BOUNDS = {"_low": "column.low", "_high": "column.high"}  # <rate>_low: its 95% bound
# columns of shares that are no one metric: a rate's bounds (column.low, column.high) and a
# funnel step's share of the step before and of people reached (a different rate each row)
SHARE_COLUMNS = ("low", "high", "of_previous", "of_first")

_WORD_JOINER = "\u2060"  # invisible; no web address or e-mail address runs across it


def markdown_literal(text: object) -> str:
    """Text that Streamlit's Markdown shows as written (on one line), with no link in it.

    CommonMark lets a backslash escape any ASCII punctuation, so images, links, emphasis,
    HTML, Streamlit's `:color[...]` and LaTeX `$` all come out as the characters typed. The
    browser still turns bare web and e-mail addresses into links, so an invisible word joiner
    follows every `:`, `.` and `@`. For text people copy, use st.text or st.dataframe.
    """
    one_line = " ".join(str(text).splitlines())
    return _PUNCTUATION.sub(_escape, one_line)


def _escape(match: re.Match) -> str:
    mark = match.group(1)
    return "\\" + mark + (_WORD_JOINER if mark in ":.@" else "")


def text_cell(value: str) -> str:
    """A string cell a spreadsheet shows as text: a leading quote before a formula start."""
    return "'" + value if value.startswith(FORMULA_START) else value


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text cell made safe; numbers (negative ones too) stay numbers."""
    text = [c for c, kind in frame.schema.items() if kind in (pl.String, pl.Categorical)]
    starts = "|".join(re.escape(s) for s in FORMULA_START)
    return frame.with_columns(
        pl.when(pl.col(c).cast(pl.String).str.contains(f"^({starts})"))
        .then(pl.lit("'") + pl.col(c).cast(pl.String))
        .otherwise(pl.col(c).cast(pl.String))
        .alias(c)
        for c in text
    )


def is_rate_column(name: str) -> bool:
    """A ratio metric (metrics.yaml), one of its interval bounds, or a column of shares
    (SHARE_COLUMNS): a fraction, shown as a percentage."""
    base = _interval_base(name) or name
    return name in SHARE_COLUMNS or (base in every_metric_name() and is_rate(base))


def _code(t: Translator, name: str) -> str:
    """The code of a column a page already named in words (`Stapratio` -> `step_rate`), so
    its figures get their number format too; a code stays itself."""
    known = translations(t.lang)
    if f"column.{name}" in known or f"metric.{name}" in known:
        return name
    labels = {
        text: key.split(".", 1)[1]
        for key, text in known.items()
        if key.startswith(("column.", "metric."))
    }
    return labels.get(name, name)


def _interval_base(name: str) -> str | None:
    """`step_rate` for `step_rate_low`/`step_rate_high`; None for any other column."""
    for suffix in INTERVAL_BOUNDS:
        if name.endswith(suffix) and name.removesuffix(suffix) in every_metric_name():
            return name.removesuffix(suffix)
    return None


def column_header(t: Translator, name: str) -> str:
    """A column's name in the reader's language: its `column.` label, else its metric's label
    (a rate's bound as its rate's: "Step rate (Lower 95%)"); a column nobody labelled keeps
    its code."""
    known = translations(t.lang)
    if f"column.{name}" in known:
        return t(f"column.{name}")
    if f"metric.{name}" in known:
        return t.metric(name)
    base = _interval_base(name)
    if base is not None:
        return f"{column_header(t, base)} ({t(INTERVAL_BOUNDS[name.removeprefix(base)])})"
    return name


def _figure(kind: pl.DataType) -> bool:
    """A column of figures: numbers, or a column every value of which is withheld (polars
    types it Null: nothing in it says it held numbers)."""
    return kind.is_numeric() or kind == pl.Null


def _missing(kind: pl.DataType, suppressed: bool) -> str:
    """An empty cell: the symbol for a figure the disclosure rules withheld, else nothing."""
    return disclosure.SYMBOL if suppressed and _figure(kind) else ""


def _is_number(value: object) -> bool:
    """A finite number (a bool is not one; NaN and infinity are no figure)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    return math.isfinite(value)


def _csv_number(value: int | float | Decimal, mark: str) -> str:
    """A number as Excel in the reader's locale reads it: 3585, 0,65; never 3.585 or 65,0 %."""
    if isinstance(value, int):
        return str(value)
    text = f"{value:.{CSV_DECIMALS}f}".rstrip("0").rstrip(".")
    return text.replace(".", mark)


def _csv_cell(value: object, kind: pl.DataType, mark: str, suppressed: bool) -> str:
    """One CSV field: numbers in the locale, dates ISO (Excel reads them everywhere), text safe."""
    if value is None or (_figure(kind) and not _is_number(value)):
        return _missing(kind, suppressed)
    if _is_number(value):
        return _csv_number(value, mark)  # type: ignore[arg-type]
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return text_cell(str(value))


def _caption_line(caption: str, notes: Sequence[str]) -> str:
    """The caption and the notes on one line, the comment mark `#` in front."""
    text = " ".join(" ".join(part.splitlines()) for part in (caption, *notes) if part)
    return f"# {text}"


def csv_bytes(
    frame: pl.DataFrame,
    caption: str,
    lang: str,
    notes: Sequence[str] = (),
    suppressed: bool = False,
) -> bytes:
    """CSV a person opens in Excel in their locale, in columns, numbers as numbers.

    nl/fr: `;` between fields and a decimal comma; en: `,` and `.`; always UTF-8 with a BOM.
    The first line is the caption with the notes (data date, what the symbol means) as one
    quoted field starting with `# `: one cell in Excel whatever `;` or `,` the caption holds
    (read it back with csv.reader, or skip one row). Rates are fractions (0,65): the value the
    XLSX holds, which Excel shows as 65,0 % with a percentage format. With `suppressed`, an
    empty figure is one the disclosure rules withheld and reads as the symbol (x). Column
    names are in the reader's language, as in the XLSX (column_header): a Dutch funder reads
    "Bereikte personen", not `reached`.
    """
    separator, mark = CSV_DIALECT[lang]
    out = io.StringIO(newline="")
    line = _caption_line(caption, notes)
    csv.writer(out, delimiter=separator, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerow(
        [line]
    )
    rows = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    t = Translator(lang)
    rows.writerow([text_cell(column_header(t, c)) for c in frame.columns])
    kinds = list(frame.schema.values())
    for row in frame.iter_rows():
        rows.writerow(_csv_cell(v, k, mark, suppressed) for v, k in zip(row, kinds, strict=True))
    return out.getvalue().encode(CSV_ENCODING)


# xlsxwriter writes what we ask (write_string, write_number); these keep it from ever reading
# text as a formula, web address or number behind our back, and dates without a time zone
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "remove_timezone": True,
}
_FORMATS = {
    "count": {"num_format": COUNT_FORMAT},
    "rate": {"num_format": RATE_FORMAT},
    "number": {"num_format": NUMBER_FORMAT},
    "date": {"num_format": DATE_FORMAT},
    "datetime": {"num_format": DATETIME_FORMAT},
    "header": {"bold": True, "bottom": 1},
    "withheld": {"align": "right"},  # the symbol where the figure would stand
}


@dataclass
class _Sheet:
    """A worksheet being written: its cell formats and the widest text of each column."""

    sheet: Worksheet
    formats: dict[str, Format]
    suppressed: bool
    widths: dict[int, int] = field(default_factory=dict)

    def text(self, row: int, col: int, value: str, style: str = "", fit: bool = True) -> None:
        """A string cell (never a formula, text made safe); it sets its column's width unless
        it is a caption or note, which runs on over the empty cells beside it."""
        shown = text_cell(" ".join(value.splitlines()) if not fit else value)
        self.sheet.write_string(row, col, shown, self.formats.get(style))
        if fit:
            self._fit(col, max((len(line) for line in shown.splitlines()), default=0))

    def cell(self, row: int, col: int, value: object, kind: pl.DataType, style: str) -> None:
        """A figure as a number in its format, a date as a date, a withheld figure as the
        symbol (with `suppressed`), anything else as text."""
        if _is_number(value):
            self.sheet.write_number(row, col, float(value), self.formats[style])  # type: ignore[arg-type]
            self._fit(col, len(f"{value:,.1f}") + 2)  # a sign, a %
        elif isinstance(value, dt.date):  # a datetime is a date too
            is_time = isinstance(value, dt.datetime)
            self.sheet.write_datetime(
                row, col, value, self.formats["datetime" if is_time else "date"]
            )
            self._fit(col, len(DATETIME_FORMAT if is_time else DATE_FORMAT))
        elif value is None or _figure(kind):
            if _missing(kind, self.suppressed):
                self.text(row, col, _missing(kind, self.suppressed), "withheld")
        else:
            self.text(row, col, str(value))

    def _fit(self, col: int, length: int) -> None:
        self.widths[col] = max(self.widths.get(col, 0), length)

    def fit_columns(self) -> None:
        """Every column as wide as its widest header or value, within COLUMN_WIDTH."""
        low, high = COLUMN_WIDTH
        for col, length in self.widths.items():
            self.sheet.set_column(col, col, min(max(length + 2, low), high))


def _style(name: str, kind: pl.DataType) -> str:
    """A numeric column's number format: whole counts, rates as percentages, other numbers."""
    if kind.is_integer():
        return "count"
    return "rate" if is_rate_column(name) else "number"


def xlsx_bytes(
    frame: pl.DataFrame,
    caption: str,
    lang: str,
    sheet: str = "data",
    notes: Sequence[str] = (),
    suppressed: bool = False,
    row_styles: Sequence[Mapping[str, str]] = (),
) -> bytes:
    """A workbook a funder can read and compute with: the caption in A1, the table from row 3
    with headers in the reader's language (column_header), figures as number cells (counts
    `#,##0`, rates `0.0%`), dates as dates, a withheld figure as the symbol `x` (with
    `suppressed`), the notes (data date, what the symbol means) under the table, columns as
    wide as their contents. Every text cell is a string cell made safe (text_cell).
    `row_styles` (one mapping per row: column -> count, rate or number) formats a column
    whose rows differ in kind (a targets table holds people and rates)."""
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS) as book:
        formats = {key: book.add_format(spec) for key, spec in _FORMATS.items()}
        out = _Sheet(book.add_worksheet(sheet), formats, suppressed)
        out.text(0, 0, caption, fit=False)
        t = Translator(lang)
        for col, name in enumerate(frame.columns):
            out.text(TABLE_ROW, col, column_header(t, name), "header")
        styles = [_style(_code(t, name), kind) for name, kind in frame.schema.items()]
        for i, values in enumerate(frame.iter_rows()):
            own = row_styles[i] if i < len(row_styles) else {}
            for col, (value, kind, style) in enumerate(
                zip(values, frame.dtypes, styles, strict=True)
            ):
                out.cell(TABLE_ROW + 1 + i, col, value, kind, own.get(frame.columns[col], style))
        below = TABLE_ROW + frame.height + 2  # one empty row between the table and its notes
        for i, note in enumerate(notes):
            out.text(below + i, 0, note, fit=False)
        out.sheet.freeze_panes(TABLE_ROW + 1, 0)
        if frame.width:
            out.sheet.autofilter(TABLE_ROW, 0, TABLE_ROW + frame.height, frame.width - 1)
        out.fit_columns()
    return buffer.getvalue()
