"""The funder report pack: one ZIP for a reporting period and a set of projects.

Holds (a) an ESF+-style participants table (by gender, age group, education level, benefit
status and target group; results on leaving: step towards work by type, in education or
training, in employment NEC/SEC, sustained at 3 months) as XLSX and CSV, (b) the headline
charts as PNG and SVG, (c) a PDF of at most two A4 pages typeset by Typst
(werkpad.rendering.pdf): programme and projects, the selection, headline figures with their
definitions, the funnel and monthly trend, a per-project table and the ESF+ breakdown.
Every count goes through werkpad.figures with the report threshold; withheld figures show
the symbol and a footnote explains it. Figures come from the metrics layer only.

Used by `werkpad report` and by the dashboard's report button.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import plotly.graph_objects as go
import polars as pl

from werkpad import disclosure, figures, metrics, targets
from werkpad.contract import default_contract
from werkpad.metrics import placements
from werkpad.rendering import charts, safe
from werkpad.rendering.i18n import Translator
from werkpad.rendering.pdf import CHART_SIZE, LABEL_KEYS, Summary, summary_pdf
from werkpad.rendering.selection import describe
from werkpad.site import current_settings
from werkpad.sql import load_sql, one_row

# section -> (grouping, metric counted), in ESF+ order; the categories and their order come
# from the contract (werkpad.contract.Contract.categories), so a new value shows up here too
SECTIONS: dict[str, tuple[str, str]] = {
    "gender": ("gender", "reached"),
    "age_group": ("age_group", "reached"),
    "education_level": ("education_level", "reached"),
    "benefit_status": ("benefit_status", "reached"),
    "step_type": ("step_type", "stepped"),
    "job_circuit": ("job_circuit", "job_started"),
}


@dataclass(frozen=True)
class Pack:
    """What went into a pack, for the caller and the tests."""

    path: Path
    participants: pl.DataFrame
    headline: dict[str, Any]
    withheld: int
    filters: dict[str, Any]  # the selection as the figures layer got it


def _section(con, filters: dict, column: str, metric: str, threshold: int | None) -> list[dict]:
    """One ESF+ section as published (werkpad.figures.grouped): every category of the
    contract in its order, with 0 for a category nobody is in."""
    rows = figures.grouped(con, filters, [column], [metric], threshold)
    found = {r[column]: r[metric] for r in rows}
    return [
        {"category": c, "count": found.get(c, 0)} for c in default_contract().categories(column)
    ]


def participants_table(con, filters: dict, t: Translator, threshold: int | None) -> pl.DataFrame:
    """The ESF+ table as published: section, category, count (None when withheld).

    Every figure comes from the published-figures layer, which protects each breakdown with
    its total and a target group with the people outside it; nothing is subtracted here.
    """
    shown = figures.headline(con, filters, threshold)
    rows: list[dict[str, Any]] = []
    for section, (column, metric) in SECTIONS.items():
        rows += [
            {"section": section, "label": t.category(column, r["category"]), **r}
            for r in _section(con, filters, column, metric, threshold)
        ]
        rows.append(
            {"section": section, "category": "total", "label": t.metric(metric),
             "count": shown[metric]}
        )  # fmt: skip
    for flag in default_contract().target_groups:
        group = figures.headline(con, filters | {"target_group_row": [flag]}, threshold)
        rows.append(
            {"section": "target_group", "category": flag,
             "label": t.category("target_group", flag), "count": group["reached"]}
        )  # fmt: skip
    # results on leaving, together at the end: in training (a step type), sustained jobs
    training = [r for r in rows if r["section"] == "step_type" and r["category"] == "training"]
    if training:  # ESF+ "in education or training on leaving": the step type `training`
        rows.append(
            {"section": "results", "category": "in_education_or_training",
             "label": t("report.in_training"), "count": training[0]["count"]}
        )  # fmt: skip
    rows.append(
        {"section": "results", "category": "sustained_3m", "label": t.metric("sustained_3m"),
         "count": shown["sustained_3m"]}
    )  # fmt: skip
    frame = pl.DataFrame(
        rows,
        schema={"section": pl.String, "category": pl.String, "label": pl.String, "count": pl.Int64},
    )
    return frame.with_columns(
        pl.col("count").cast(pl.String).fill_null(disclosure.SYMBOL).alias("shown")
    )


def suppressed_headline(con, filters: dict, threshold: int | None) -> dict[str, Any]:
    """Headline figures as published (werkpad.figures): the dashboard's for the same
    selection, small counts, small steps between funnel counts and complements withheld."""
    shown = figures.headline(con, filters, threshold)
    return {k: shown[k] for k in [*metrics.shown("report"), *metrics.FUNNEL]}


def _month_series(con, filters: dict, threshold: int) -> pl.DataFrame:
    """People reached per month as published (the dashboard's trend for the same selection)."""
    rows = figures.grouped(con, filters, ["reached_month"], ["reached"], threshold)
    return pl.DataFrame(
        {
            "reached_month": [r["reached_month"] for r in rows],
            "reached": [r["reached"] for r in rows],
        },
        schema={"reached_month": pl.Date, "reached": pl.Int64},
    )


# the per-project table of the PDF: these metrics per project, as published (metrics.yaml)
PROJECT_COLUMNS = tuple(metrics.shown("report_projects"))


def more_figures(con, filters: dict, threshold: int | None) -> list[dict[str, Any]]:
    """The pack's figures besides its headline and ESF+ table, as the pack publishes them:
    the per-project table, people reached per month and each target's actual. A submission
    keeps them with the others, so a revision compares every figure the pack holds (the
    review found these three left out)."""
    out = [
        {"section": "project", "group": row["project_code"], "metric": name, "value": row[name]}
        for row in figures.grouped(con, filters, ["project_code"], list(PROJECT_COLUMNS), threshold)
        for name in PROJECT_COLUMNS
    ]
    out += [
        {"section": "reached_month", "group": str(row["reached_month"]), "metric": "reached",
         "value": row["reached"]}
        for row in figures.grouped(con, filters, ["reached_month"], ["reached"], threshold)
    ]  # fmt: skip
    chosen = lineage_projects(con, filters)
    scope = {k: v for k, v in filters.items() if k.startswith("scope_")}
    progress = targets.progress(con, None, current_settings().bands, scope, threshold, chosen)
    out += [
        {"section": "target", "group": f"{p.project_code} {p.period_from}..{p.period_to}",
         "metric": p.metric, "value": p.actual}
        for p in progress
    ]  # fmt: skip
    return out


def _shown(t: Translator, name: str, value: Any) -> str:
    """A published figure as text: Belgian count or percentage, the symbol when withheld."""
    if value is None:
        return disclosure.SYMBOL
    return (t.rate if metrics.is_rate(name) else t.count)(value)


def _programme(con, filters: dict, names: dict[str, dict[str, str]]) -> str:
    """The programmes and projects the selection covers, named as in the reference tables."""
    rows = metrics.compute(con, filters, ["project_code"], ["reached"])
    codes = [r["project_code"] for r in rows if r["reached"]]
    programmes = sorted({str(r[3]) for r in con.execute(load_sql("queries/projects")).fetchall()
                         if r[0] in codes})  # fmt: skip
    projects = ", ".join(names["project"].get(c, c) for c in codes)
    return " — ".join(p for p in (", ".join(programmes), projects) if p)


def _project_table(
    con, filters, t, threshold, names, extracts: dict[str, dt.date]
) -> tuple[list[str], list[list[str]]]:
    """One row per project: its name, the extract date its figures are read from (the
    lineage, issue 12) and its published figures."""
    rows = figures.grouped(con, filters, ["project_code"], list(PROJECT_COLUMNS), threshold)
    header = [
        t("filter.project"), t("report.pdf.extract_date"),
        *(t.metric(m) for m in PROJECT_COLUMNS),
    ]  # fmt: skip
    body = [
        [names["project"].get(r["project_code"], r["project_code"]),
         t.date(extracts[r["project_code"]]) if r["project_code"] in extracts else "",
         *(_shown(t, m, r[m]) for m in PROJECT_COLUMNS)]
        for r in rows
    ]  # fmt: skip
    return header, body


def lineage_projects(con: duckdb.DuckDBPyConnection, filters: dict[str, Any]) -> tuple[str, ...]:
    """The projects a selection covers (its programme, province and project filters and
    scope), whether or not they have delivered an extract."""
    return targets.selected_projects(con.sql(load_sql("queries/projects")).pl(), filters)


def lineage(con: duckdb.DuckDBPyConnection, filters: dict[str, Any]) -> dict[str, dt.date]:
    """The extract date each project the selection covers is read from on this connection:
    the vintage's snapshots when one is in use (pipelines.vintage), else the live ones; not
    every project's (a lead's pack named out-of-scope projects before)."""
    named = set(lineage_projects(con, filters))
    read = con.execute(load_sql("queries/vintage_snapshots")).fetchall()
    return {p: d for p, d, _ in read if p in named}


def _table_files(
    participants: pl.DataFrame, t: Translator, caption_parts: dict[str, str], threshold: int
) -> dict[str, bytes]:
    """The ESF+ table as CSV and XLSX for the reader's Excel: sections in words, counts as
    numbers, a withheld count as the symbol; the data date and what the symbol means as notes
    (werkpad.rendering.safe: text cells never formulas, headers in the reader's language)."""
    sections = {s: t(f"report.section.{s}") for s in participants["section"].unique()}
    table = participants.select(
        pl.col("section").replace_strict(sections, return_dtype=pl.String),
        "category",
        "label",
        pl.col("count").alias("shown"),
    )
    caption = t("report.table_caption", selection=caption_parts["selection"])
    notes = (
        t("download.data_date", date=caption_parts["date"]),
        t("access.suppressed_note", symbol=disclosure.SYMBOL, threshold=threshold),
    )
    return {
        "esf_participants.csv": safe.csv_bytes(table, caption, t.lang, notes, suppressed=True),
        "esf_participants.xlsx": safe.xlsx_bytes(
            table, caption, t.lang, "participants", notes, suppressed=True
        ),
    }


def _targets(con, filters: dict, t: Translator, threshold: int) -> pl.DataFrame:
    """The targets of the pack's projects on the data date, published at the pack's
    threshold, in the user's scope (a target is a whole project's: other filters do not
    narrow it)."""
    projects = con.sql(load_sql("queries/projects")).pl()
    chosen = targets.selected_projects(projects, filters)
    scope = {k: v for k, v in filters.items() if k.startswith("scope_")}
    bands = current_settings().bands
    return targets.frame(targets.progress(con, None, bands, scope, threshold, chosen), t.metric)


def _target_files(
    shown: pl.DataFrame, t: Translator, caption_parts: dict[str, str], threshold: int
) -> dict[str, bytes]:
    """The targets sheet (XLSX, and CSV), when the pack's projects have targets."""
    if shown.is_empty():
        return {}
    table = targets.table(shown, t)
    caption = targets.title(shown, t)
    notes = (
        t("targets.note"),
        t("access.suppressed_note", symbol=disclosure.SYMBOL, threshold=threshold),
    )
    return {
        "targets.csv": safe.csv_bytes(table, caption, t.lang, notes, suppressed=True),
        "targets.xlsx": safe.xlsx_bytes(
            table, caption, t.lang, "targets", notes, True, targets.row_styles(shown)
        ),
    }


def _placement_files(
    con, filters: dict, t: Translator, caption_parts: dict[str, str], threshold: int
) -> dict[str, bytes]:
    """The employer-network sheet (issue 13), when the selection has placements: the
    headline, then per placement type and per project, as published at the pack's threshold
    (werkpad.figures). Placements are selected by where and when only: the caption names
    that selection, and the filters about the person it does not follow."""
    kept, ignored = placements.selectable(filters)
    headline = figures.placement_headline(con, kept, threshold)
    if headline["placements"] == 0:
        return {}
    names = figures.reference_names(con)
    shown = metrics.shown("employers_per_place")
    rows = [{"group": t("employers.total"), **{n: headline[n] for n in shown}}]
    for grouping, kind in (("placement_type", None), ("project_code", "project")):
        for row in figures.placement_grouped(con, kept, [grouping], shown, threshold):
            code = row[grouping]
            label = names[kind].get(code, code) if kind else t.category(grouping, code)
            rows.append(
                {"group": f"{t(f'column.{grouping}')}: {label}"} | {n: row[n] for n in shown}
            )
    table = pl.DataFrame(rows, schema={"group": pl.String} | {
        n: pl.Float64 if metrics.is_rate(n) else pl.Int64 for n in shown})  # fmt: skip
    caption = f"{t('employers.pack_sheet')}: {describe(t, kept, names)[0]}"
    notes = [
        t("employers.period_note"),
        t("download.data_date", date=caption_parts["date"]),
        t("access.suppressed_note", symbol=disclosure.SYMBOL, threshold=threshold),
    ]
    if ignored:
        notes.insert(
            0, t("employers.ignored", filters=", ".join(t(f"filter.{k}") for k in ignored))
        )
    return {
        "employer_network.csv": safe.csv_bytes(table, caption, t.lang, notes, suppressed=True),
        "employer_network.xlsx": safe.xlsx_bytes(
            table, caption, t.lang, "employer_network", notes, suppressed=True
        ),
    }


def _untitled_svg(fig: go.Figure) -> str:
    """The chart as SVG for the PDF, which sets the chart's title as its caption (once: not
    also inside the picture), the legend under the slanted month ticks and the axis title."""
    bare = go.Figure(fig).update_layout(
        title_text="",
        margin={"t": 20, "b": 40},
        legend={"yanchor": "top", "y": -0.42},
    )
    return charts.export_image(bare, "svg", None, *CHART_SIZE).decode()


def _summary(
    con, filters, t, threshold, caption_parts, participants, headline, images, target_frame
) -> Summary:
    """The PDF's content: every figure as published, every text in the reader's language."""
    names = figures.reference_names(con)
    header, projects = _project_table(con, filters, t, threshold, names, lineage(con, filters))
    esf = [
        (t(f"report.section.{r['section']}"), r["label"], _shown(t, "reached", r["count"]))
        for r in participants.iter_rows(named=True)
    ]
    header_t, rows_t = targets.pdf_rows(target_frame, t)
    return Summary(
        lang=t.lang,
        title=t("report.title"),
        programme=_programme(con, filters, names),
        selection=caption_parts["selection"],
        data_date=caption_parts["date"],
        vintage=caption_parts["vintage"],
        headline=[
            (t.metric(k), _shown(t, k, headline[k]), t(f"metric_help.{k}"))
            for k in metrics.shown("report")
        ],
        projects_header=header,
        projects=projects,
        esf=esf,
        charts=[
            (images[name].layout.title.text, _untitled_svg(images[name]))
            for name in ("funnel", "reached_per_month")
        ],
        note=t("access.suppressed_note", symbol=disclosure.SYMBOL, threshold=threshold),
        labels={key: t(f"report.pdf.{key}") for key in LABEL_KEYS},
        targets_header=header_t if rows_t else [],
        targets=rows_t,
    )


def build_pack(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    period_from: dt.date,
    period_to: dt.date,
    projects: list[str] | None = None,
    threshold: int = disclosure.REPORT_THRESHOLD,
    lang: str = "nl",
    scope: dict[str, list[str]] | None = None,
    filters: dict[str, Any] | None = None,
    as_of: dt.date | None = None,
) -> Pack:
    """Write the report pack ZIP to `out` and return what is in it.

    The pack is the selection on screen: `filters` are any of the metrics layer's filters
    (province, region, gender, target group, ...), `projects` and the period narrow them, and
    `scope` is the user's (werkpad.access.scope_filters), added with AND. The caption names
    exactly that selection, in the words the dashboard uses (werkpad.rendering.selection).
    `as_of` names the vintage the connection reads (pipelines.vintage.use_vintage), so the
    PDF and README say "data as of" that date instead of "current data"."""
    t = Translator(lang, missing=disclosure.SYMBOL)
    filters = dict(filters or {}) | {"reached_from": period_from, "reached_to": period_to}
    if projects:
        filters["project"] = list(projects)
    filters |= scope or {}
    data_date = one_row(con.execute(load_sql("queries/data_dates")))[2]
    caption_parts = {
        "selection": describe(t, filters, figures.reference_names(con))[0],
        "date": t.date(data_date),
        "vintage": t("report.pdf.vintage_as_of", date=t.date(as_of))
        if as_of
        else t("report.pdf.vintage_current"),
    }
    caption = t("report.caption", **caption_parts, threshold=threshold, symbol=disclosure.SYMBOL)
    participants = participants_table(con, filters, t, threshold)
    headline = suppressed_headline(con, filters, threshold)
    steps = [(t.metric(k), headline[k]) for k in metrics.FUNNEL]  # a withheld step stays, as x
    images = {
        "funnel": charts.funnel(steps, t, t("overview.funnel_title")),
        "reached_per_month": charts.lines(
            _month_series(con, filters, threshold),
            "reached_month",
            "reached",
            t,
            t("overview.trend_title"),
            t("axis.month"),
            t("axis.people"),
            every_month=True,
        ),
        "step_types": charts.bar(
            participants.filter(  # a withheld type stays on the chart as an empty bar, x
                pl.col("section") == "step_type", pl.col("category") != "total"
            ).select(step_type="category", stepped="count"),
            "step_type",
            "stepped",
            t,
            t("outcomes.step_types_title"),
            t("axis.people"),
        ),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as pack:
        for name, data in _table_files(participants, t, caption_parts, threshold).items():
            pack.writestr(name, data)
        for name, fig in images.items():
            for fmt in ("png", "svg"):
                pack.writestr(f"{name}.{fmt}", charts.export_image(fig, fmt, caption))
        target_frame = _targets(con, filters, t, threshold)
        for name, data in _target_files(target_frame, t, caption_parts, threshold).items():
            pack.writestr(name, data)
        for name, data in _placement_files(con, filters, t, caption_parts, threshold).items():
            pack.writestr(name, data)
        summary = _summary(
            con, filters, t, threshold, caption_parts, participants, headline, images,
            target_frame,
        )  # fmt: skip
        pack.writestr("summary.pdf", summary_pdf(summary))
        vintage = "\n".join(f"- {p}: {t.date(d)}" for p, d in lineage(con, filters).items())
        pack.writestr(
            "README.txt",
            f"{t('report.title')}\n\n{caption}\n\n{caption_parts['vintage']}\n"
            f"{t('report.vintage')}\n{vintage}\n",
        )
    withheld = int(participants["count"].null_count())
    return Pack(out, participants, headline, withheld, filters)
