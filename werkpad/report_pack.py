"""The funder report pack: one ZIP for a reporting period and a set of projects.

Holds (a) an ESF+-style participants table (by gender, age group, education level, benefit
status and target group; results on leaving: step towards work by type, in education or
training, in employment NEC/SEC, sustained at 3 months) as XLSX and CSV, (b) the headline
charts as PNG and SVG, (c) a one-page PDF summary with the headline figures and the data
date. Every count goes through werkpad.disclosure with the report threshold; withheld figures
show the symbol and a footnote explains it. Figures come from the metrics layer only.

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

from werkpad import disclosure, figures, metrics
from werkpad.rendering import charts, safe
from werkpad.rendering.i18n import Translator
from werkpad.sql import load_sql, one_row

# section -> (column grouped by, metric counted, categories in ESF+ order)
SECTIONS: dict[str, tuple[str, str, list[str]]] = {
    "gender": ("gender", "reached", ["F", "M", "X"]),
    "age_group": ("age_group", "reached", ["18-29", "30-54", "55+"]),
    "education_level": ("education_level", "reached", ["low", "medium", "high", "unknown"]),
    "benefit_status": (
        "benefit_status",
        "reached",
        ["riziv_incapacity", "leefloon", "unemployment", "none", "other", "unknown"],
    ),
    "step_type": ("step_type", "stepped", charts.CATEGORY_ORDER["step_type"]),
    "job_circuit": ("job_circuit", "job_started", ["nec", "sec"]),
}
TARGET_GROUPS = ["mental_health", "addiction", "physical_disability", "migration_background"]
HEADLINE = ["reached", "exploring", "decided", "stepped", "job_started", "sustained_3m"]
RATES = {
    "step_rate": ("stepped", "decided"),
    "nec_share": ("nec_jobs", "job_started"),
    "sustained_rate": ("sustained_3m", "job_started"),
}


@dataclass(frozen=True)
class Pack:
    """What went into a pack, for the caller and the tests."""

    path: Path
    participants: pl.DataFrame
    headline: dict[str, Any]
    withheld: int


def _counts(con, filters, column: str, metric: str, categories: list[str]) -> list[int]:
    rows = metrics.compute(con, filters, [column], [metric])
    found = {r[column]: r[metric] for r in rows}
    return [int(found.get(c, 0) or 0) for c in categories]


def participants_table(con, filters: dict, t: Translator, threshold: int) -> pl.DataFrame:
    """The ESF+ table, suppressed: section, category, count (None when withheld)."""
    rows: list[dict[str, Any]] = []
    totals: list[int | None] = []
    for section, (column, metric, categories) in SECTIONS.items():
        counts, total = disclosure.suppress_counts(
            _counts(con, filters, column, metric, categories), threshold
        )
        rows += [
            {"section": section, "category": c, "label": t.category(column, c), "count": n}
            for c, n in zip(categories, counts, strict=True)
        ]
        rows.append(
            {"section": section, "category": "total", "label": t.metric(metric), "count": total}
        )
        if metric == "reached":
            totals.append(total)
        if section == "step_type":
            training = next(
                r for r in rows if r["section"] == "step_type" and r["category"] == "training"
            )
            rows.append(
                {
                    "section": "results",
                    "category": "in_education_or_training",
                    "label": t("report.in_training"),
                    "count": training["count"],
                }
            )
    headline = metrics.compute(con, filters, None, ["reached", "sustained_3m", "job_started"])[0]
    for flag in TARGET_GROUPS:
        yes = metrics.compute(con, filters | {"target_group": [flag]}, None, ["reached"])[0]
        counts, total = disclosure.suppress_counts(
            [yes["reached"], headline["reached"] - yes["reached"]], threshold
        )
        rows.append(
            {
                "section": "target_group",
                "category": flag,
                "label": t.category("target_group", flag),
                "count": counts[0],
            }
        )
        totals.append(total)
    counts, _ = disclosure.suppress_counts(
        [headline["sustained_3m"], headline["job_started"] - headline["sustained_3m"]], threshold
    )
    rows.append(
        {
            "section": "results",
            "category": "sustained_3m",
            "label": t.metric("sustained_3m"),
            "count": counts[0],
        }
    )
    frame = pl.DataFrame(
        rows,
        schema={"section": pl.String, "category": pl.String, "label": pl.String, "count": pl.Int64},
    )
    if any(total is None for total in totals):  # the same participant total everywhere
        frame = frame.with_columns(
            pl.when(pl.col("category") == "total")
            .then(None)
            .otherwise(pl.col("count"))
            .alias("count")
        )
    return frame.with_columns(
        pl.col("count").cast(pl.String).fill_null(disclosure.SYMBOL).alias("shown")
    )


def suppressed_headline(con, filters: dict, threshold: int) -> dict[str, Any]:
    """Headline figures as published (werkpad.figures): the dashboard's for the same
    selection, small counts, small steps between funnel counts and complements withheld."""
    shown = figures.headline(con, filters, threshold)
    return {k: shown[k] for k in [*HEADLINE, "nec_jobs", *RATES]}


def _month_series(con, filters: dict, threshold: int) -> pl.DataFrame:
    rows = metrics.compute(con, filters, ["reached_month"], ["reached"])
    counts, _ = disclosure.suppress_counts([r["reached"] for r in rows], threshold)
    return pl.DataFrame(
        {"reached_month": [r["reached_month"] for r in rows], "reached": counts},
        schema={"reached_month": pl.Date, "reached": pl.Int64},
    )


def _summary_pdf(headline: dict, t: Translator, title: str, caption: str) -> bytes:
    """One A4 page: the headline figures in a table, the data date and the footnote."""
    labels = [t.metric(k) for k in [*HEADLINE, *RATES]]
    values = [
        t.count(headline[k]) if headline[k] is not None else disclosure.SYMBOL for k in HEADLINE
    ]
    values += [t.rate(headline[k]) if headline[k] is not None else disclosure.SYMBOL for k in RATES]
    fig = go.Figure(
        go.Table(
            header={
                "values": [t("report.figure"), t("report.value")],
                "font": {"size": 16},
                "align": "left",
                "height": 34,
            },
            cells={"values": [labels, values], "font": {"size": 15}, "align": "left", "height": 32},
        )
    )
    fig.update_layout(
        title={"text": title, "font": {"size": 22}},
        width=794,
        height=1123,
        margin={"l": 50, "r": 50, "t": 110, "b": 300},
    )
    charts.add_caption(fig, caption, y=-0.05)
    return charts.export_image(fig, "pdf", width=794, height=1123)


def build_pack(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    period_from: dt.date,
    period_to: dt.date,
    projects: list[str] | None = None,
    threshold: int = disclosure.REPORT_THRESHOLD,
    lang: str = "nl",
    scope: dict[str, list[str]] | None = None,
) -> Pack:
    """Write the report pack ZIP to `out` and return what is in it; `scope` narrows it to a
    user's provinces or projects (werkpad.access.scope_filters)."""
    t = Translator(lang, missing=disclosure.SYMBOL)
    filters = {"reached_from": period_from, "reached_to": period_to, "project": projects or []}
    filters |= scope or {}
    data_date = one_row(con.execute(load_sql("queries/data_dates")))[2]
    shown_scope = ", ".join(projects) if projects else t("download.all_filters")
    caption = t(
        "report.caption",
        start=t.date(period_from),
        end=t.date(period_to),
        scope=shown_scope,
        date=t.date(data_date),
        threshold=threshold,
        symbol=disclosure.SYMBOL,
    )
    participants = participants_table(con, filters, t, threshold)
    headline = suppressed_headline(con, filters, threshold)
    steps = [(t.metric(k), headline[k]) for k in HEADLINE[:5] if headline[k] is not None]
    figures = {
        "funnel": charts.funnel(steps, t, t("overview.funnel_title")),
        "reached_per_month": charts.lines(
            _month_series(con, filters, threshold),
            "reached_month",
            "reached",
            t,
            t("overview.trend_title"),
            t("axis.month"),
            t("axis.people"),
        ),
        "step_types": charts.bar(
            participants.filter(
                pl.col("section") == "step_type",
                pl.col("category") != "total",
                pl.col("count").is_not_null(),
            ).select(step_type="category", stepped="count"),
            "step_type",
            "stepped",
            t,
            t("outcomes.step_types_title"),
            t("axis.people"),
        ),
    }
    table = participants.select("section", "category", "label", "shown")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as pack:
        # text cells never formulas, numbers stay numbers (werkpad.rendering.safe)
        pack.writestr("esf_participants.csv", safe.csv_bytes(table, caption))
        pack.writestr("esf_participants.xlsx", safe.xlsx_bytes(table, caption, "participants"))
        for name, fig in figures.items():
            for fmt in ("png", "svg"):
                pack.writestr(f"{name}.{fmt}", charts.export_image(fig, fmt, caption))
        pack.writestr("summary.pdf", _summary_pdf(headline, t, t("report.title"), caption))
        pack.writestr("README.txt", f"{t('report.title')}\n\n{caption}\n")
    withheld = int(participants["count"].null_count())
    return Pack(out, participants, headline, withheld)
