"""Text from data reaches people as text: never Markdown, never a spreadsheet formula.

File names, reasons and reports come from partners' files and the nightly load; shown as
Markdown, `![x](http://...)` in a file name would make every viewer's browser fetch an
attacker's address, and in a CSV `=HYPERLINK(...)` would run in the spreadsheet of whoever
opens the download. Pages show such text with `st.text`/`st.dataframe`, or through
`markdown_literal` where Streamlit only takes Markdown (labels, captions, notices). Every CSV
and XLSX the product writes (dashboard downloads, the report pack) goes through `csv_bytes`
and `xlsx_bytes` here.
"""

from __future__ import annotations

import io
import re

import polars as pl
import xlsxwriter

# A spreadsheet reads a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


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


def csv_bytes(frame: pl.DataFrame, caption: str) -> bytes:
    """CSV with the caption as a first comment line (read back with comment_prefix='#')."""
    head = f"# {' '.join(caption.splitlines())}\n"
    return head.encode() + spreadsheet_safe(frame).write_csv().encode("utf-8")


def xlsx_bytes(frame: pl.DataFrame, caption: str, sheet: str = "data") -> bytes:
    """The table from row 3 of `sheet`, the caption in A1; every string is a string cell.

    polars only turns formulas off in a workbook it makes itself, so ours says so too, and
    also keeps text that looks like a web address or a number from becoming one.
    """
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        frame.write_excel(book, worksheet=sheet, position="A3", autofit=True)
        book.get_worksheet_by_name(sheet).write_string("A1", caption)
    return buffer.getvalue()
