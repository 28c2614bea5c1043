"""The funder summary PDF: plain data in, a typeset two-page A4 document out.

Typst lays it out (templates/summary.typ): a title block naming the programme and the
selection, the headline figures with their definitions, the charts, the per-project table and
the ESF+ breakdown, with the data date and page numbers in the footer and the title and
language in the PDF's metadata.

Every text comes from data (programme names, labels, category names), so none of it is ever
pasted into Typst source: the whole summary travels as one JSON string in `sys.inputs` and the
template shows each string as text. `*bold*`, `#import`, `$x$` or `<label>` in a project name
come out exactly as written. Charts travel the same way, as SVG text the template turns into
bytes, so no file is written and the template reads nothing outside its own folder.

Only the fonts Typst embeds are used (system fonts ignored): the PDF looks the same on every
machine, offline, and the fonts carry the accents of Dutch and French.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from itertools import combinations, groupby
from pathlib import Path
from typing import Any

import typst

from werkpad.rendering.i18n import LANGUAGES  # each is set as Typst's text language

TEMPLATE = Path(__file__).parent / "templates" / "summary.typ"
ESF_COLUMNS = 3  # the ESF+ breakdown (~40 rows) side by side, so it fits page 2 with the rest
SECTION_HEAD_ROWS = 2  # a section's heading and the gap under it, counted as table rows
# The size (px) to export charts at: two sit side by side, about 85 mm wide, and plotly's
# 16 px text then reads at about 7 pt; a wider export would shrink it below legibility.
CHART_SIZE = (560, 420)

# The fixed texts of the template, in the reader's language. `page` holds {n} and {total}.
LABEL_KEYS = ("selection", "data_date", "headline", "projects", "targets", "esf", "page")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Summary:
    """Everything the summary shows, already formatted in the reader's language.

    Values are strings so that formatting (Belgian number formats, the withheld symbol)
    stays with the caller, which knows the metrics; this module only typesets.
    """

    lang: str  # "nl" | "fr" | "en": the text language and the PDF's /Lang
    title: str  # shown on top and the PDF's metadata title
    programme: str  # programme and project names, one line
    selection: str  # the selection in words: period, provinces/projects, filters
    data_date: str  # already formatted, e.g. "31/12/2023"
    vintage: str  # e.g. "huidige gegevens" or "gegevens van 31/05/2023"
    headline: list[tuple[str, str, str]]  # (label, shown value, one-line definition)
    projects_header: list[str]
    projects: list[list[str]]  # one row per project, cells already formatted
    esf: list[tuple[str, str, str]]  # (section label, category label, shown value), in order
    charts: list[tuple[str, str]]  # (caption, SVG text), e.g. the funnel and the monthly trend
    note: str  # the suppression note explaining the withheld symbol
    labels: dict[str, str]  # LABEL_KEYS: the template's own headings and patterns
    targets_header: list[str] = field(default_factory=list)
    targets: list[list[str]] = field(default_factory=list)  # one row per target, formatted


class SummaryError(ValueError):
    """A summary the template cannot show (unknown language, missing label)."""


def summary_pdf(summary: Summary) -> bytes:
    """The summary as PDF bytes; Typst's warnings go to the log, not to the reader."""
    pdf, warnings = compile_summary(summary)
    for warning in warnings:
        log.warning("Typst: %s", warning)
    return pdf


def compile_summary(summary: Summary) -> tuple[bytes, list[str]]:
    """The PDF and Typst's warning messages (tests require none for a normal summary)."""
    _check(summary)
    pdf, warnings = typst.compile_with_warnings(
        TEMPLATE,
        root=TEMPLATE.parent,
        ignore_system_fonts=True,
        sys_inputs={"data": json.dumps(_template_data(summary))},
    )
    return pdf, [w.message for w in warnings]


def _check(summary: Summary) -> None:
    """Fail in Python with a plain message rather than deep inside a Typst compile."""
    if summary.lang not in LANGUAGES:
        raise SummaryError(f"language must be one of {', '.join(LANGUAGES)}")
    missing = [key for key in LABEL_KEYS if key not in summary.labels]
    if missing:
        raise SummaryError(f"labels missing: {', '.join(missing)}")
    widths = {len(row) for row in summary.projects} - {len(summary.projects_header)}
    if widths:
        raise SummaryError("every project row needs one cell per header")
    if {len(row) for row in summary.targets} - {len(summary.targets_header)}:
        raise SummaryError("every target row needs one cell per header")


def _template_data(summary: Summary) -> dict[str, Any]:
    """The summary as the template reads it: named fields instead of tuple positions."""
    data = asdict(summary)
    data["headline"] = [
        {"label": label, "value": value, "definition": definition}
        for label, value, definition in summary.headline
    ]
    data["esf"] = _esf_columns(_esf_sections(summary.esf))
    data["charts"] = [{"caption": caption, "svg": svg} for caption, svg in summary.charts]
    return data


def _esf_sections(rows: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """Consecutive rows of one section as one block, so a section is never split."""
    return [
        {
            "label": section,
            "rows": [{"category": category, "value": value} for _, category, value in group],
        }
        for section, group in groupby(rows, key=lambda row: row[0])
    ]


def _esf_columns(sections: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The sections in ESF_COLUMNS runs of about equal height, in reading order.

    Typst's `columns` fills the first column to the foot of the page, which would leave the
    breakdown one long narrow list; balancing here keeps it three short ones.
    """
    heights = [len(section["rows"]) + SECTION_HEAD_ROWS for section in sections]
    count = min(ESF_COLUMNS, len(sections))
    if count <= 1:
        return [sections] if sections else []

    def tallest(cuts: tuple[int, ...]) -> int:
        bounds = zip((0, *cuts), (*cuts, len(sections)), strict=True)
        return max(sum(heights[start:end]) for start, end in bounds)

    best = min(combinations(range(1, len(sections)), count - 1), key=tallest)
    bounds = zip((0, *best), (*best, len(sections)), strict=True)
    return [sections[start:end] for start, end in bounds]
