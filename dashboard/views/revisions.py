"""Revisions: what changed since a report pack was submitted, per figure.

A funder asks why a figure is 7 higher than the one she was sent: the page lists the
submissions in the user's scope, and for one of them every figure as submitted, as it is now
for the same selection (suppressed the same way), and the difference. The choice is in the URL
(`?submission=ID`), so a link reproduces the view.
"""

import datetime as dt

import polars as pl
import streamlit as st

from dashboard import data, downloads
from dashboard.shell import context
from werkpad import submissions
from werkpad.access import scope_filters
from werkpad.metrics import FUNNEL
from werkpad.rendering.i18n import MISSING
from werkpad.rendering.safe import markdown_literal

ctx = context().for_today()  # revisions compare with today's data, whatever vintage is chosen
t = ctx.t
today = ctx.version

st.title(t("nav.revisions"))
provinces = dict(data.table(today, "projects").select("project_code", "province_code").iter_rows())
records = [
    r
    for r in data.submissions(today)
    if not ctx.user.suppressed or submissions.in_scope(r, provinces, ctx.projects)
]
if not records:
    st.info(t("revisions.none"), icon=":material/info:")
    st.stop()
by_id = {r["submission_id"]: r for r in records}
if "submission" not in st.session_state:
    asked = st.query_params.get("submission")
    st.session_state["submission"] = asked if asked in by_id else records[0]["submission_id"]
chosen = st.selectbox(
    t("revisions.choose"),
    list(by_id),
    key="submission",
    format_func=lambda i: (
        f"{t.date(by_id[i]['submitted_at'].date())} · {by_id[i]['submitted_by']} · "
        f"{t.date(by_id[i]['period_from'])}–{t.date(by_id[i]['period_to'])} · {i}"
        + (f" · {t('revisions.withdrawn_mark')}" if by_id[i]["withdrawn_at"] else "")
    ),
)
st.query_params["submission"] = chosen
record = by_id[chosen]
as_of = record["as_of"]
st.text(  # names and reasons as typed: text, never Markdown
    t(
        "revisions.lineage",
        by=record["submitted_by"],
        at=t.date(record["submitted_at"].date()),
        as_of=t.date(as_of or record["submitted_at"].date()),  # not "today": that day
        id=chosen,
        sha=record["sha256"],
    )
)
if data.pack_intact(today, chosen):
    st.download_button(  # the pack byte for byte as submitted, read only when clicked
        t("revisions.export"),
        lambda: (submissions.pack_bytes(data.cursor(today), chosen) or (b"", ""))[0],
        f"submission_{chosen}.zip",
        "application/zip",
        key="export-submission",
        on_click="ignore",
        icon=":material/download:",
    )
else:  # never another file under the submission's name and hash
    st.error(t("revisions.altered"), icon=":material/gpp_bad:")
if record["withdrawn_at"]:
    st.warning(
        t(
            "revisions.withdrawn",
            at=t.date(record["withdrawn_at"].date()),
            by=markdown_literal(record["withdrawn_by"]),  # typed text, never Markdown
            reason=markdown_literal(record["withdrawn_reason"]),
        ),
        icon=":material/block:",
    )


def _label(row: dict) -> tuple[str, str, str]:
    """Section, group and figure in the user's words."""
    section, group = row["section"], row["group"]
    if section == "headline":
        return t("revisions.headline"), "", t.metric(row["metric"])
    if section == "project":
        return (
            t("revisions.section.project"),
            ctx.names["project"].get(group, group),
            t.metric(row["metric"]),
        )
    if section == "reached_month":
        month = t.month(dt.date.fromisoformat(group))
        return t("revisions.section.reached_month"), month, t.metric(row["metric"])
    if section == "target":  # "WGTW-ANT 2021-01-01..2023-12-31"
        project, period = group.split(" ", 1)
        start, end = (dt.date.fromisoformat(d) for d in period.split(".."))
        named = f"{project} {t.date(start)}–{t.date(end)}"
        return t("revisions.section.target"), named, t.metric(row["metric"])
    if group == "total":  # the ESF+ section's own total, in words
        return t(f"report.section.{section}"), t("revisions.total"), ""
    return t(f"report.section.{section}"), t.category(section, group), ""


rows = data.revisions(today, chosen, ctx.user.suppressed)
rates = {
    r["metric"] for r in rows if r["metric"] != "count" and r["metric"].endswith(("rate", "share"))
}


def _shown(row: dict, key: str) -> str:
    """A figure as the user reads it: 1.168, 64,4 %, a signed difference; x when withheld."""
    value = row[key]
    if value is None:
        return t.missing
    if row["metric"] in rates or isinstance(value, float):
        text = t.rate(abs(value) if key == "delta" else value)
    else:
        text = t.count(abs(value) if key == "delta" else value)
    return f"{'+' if value > 0 else '−' if value < 0 else ''}{text}" if key == "delta" else text


frame = pl.DataFrame(
    [
        dict(zip(("section", "group", "metric"), _label(r), strict=True))
        | {k: r[k] for k in ("submitted", "current", "delta", "changed")}
        for r in rows
    ],
    schema={"section": pl.String, "group": pl.String, "metric": pl.String,
            "submitted": pl.Float64, "current": pl.Float64, "delta": pl.Float64,
            "changed": pl.Boolean},
)  # fmt: skip
display = pl.DataFrame(
    [
        dict(zip(("section", "group", "metric"), _label(r), strict=True))
        | {k: _shown(r, k) for k in ("submitted", "current", "delta")}
        | {"changed": r["changed"]}
        for r in rows
    ],
    schema={k: pl.String for k in ("section", "group", "metric", "submitted", "current",
                                   "delta")} | {"changed": pl.Boolean},
)  # fmt: skip


def _readable(shown: pl.DataFrame) -> pl.DataFrame:
    return shown.drop("changed").rename(
        {c: t(f"column.{c}") for c in shown.columns if c != "changed"}
    )


st.subheader(t("revisions.changed"))
if submissions.withheld_whole(rows):  # not "nothing changed": nothing can be shown
    st.info(t("revisions.withheld_whole"), icon=":material/info:")
elif not frame["changed"].any():
    st.write(t("revisions.no_changes"))
else:
    downloads.table(
        frame.filter(pl.col("changed")).drop("changed"), "revisions_changed", ctx,
        display=_readable(display.filter(pl.col("changed"))),
    )  # fmt: skip
with st.expander(t("revisions.all"), expanded=True):
    downloads.table(frame.drop("changed"), "revisions_all", ctx, display=_readable(display))


def _day(day: dt.date | None) -> str:
    """An extract date; none is a dash (no extract yet), never the withheld symbol."""
    return t.date(day) if day else MISSING


# what the figures were read from then and now, per project of the submission: a later or
# corrected extract, or a project that had not delivered yet, explains a change first
covered = submissions.projects_of(record, provinces)  # not every project's (found in review)
st.caption(
    t("revisions.vintage")
    + " "
    + "; ".join(
        f"{row['project']}: {_day(row['submitted'])} → {_day(row['current'])}"
        for row in data.vintages(today, chosen)
        if row["project"] in covered
    )
)

st.subheader(t("revisions.triangle"))
metric = st.selectbox(
    t("revisions.triangle_metric"),
    [m for m in FUNNEL],
    key="triangle_metric",
    format_func=t.metric,
)
selection = submissions.selection_of(record) | scope_filters(ctx.user)
told = data.triangle(today, data.freeze(selection), metric, ctx.threshold)
months = [c for c in told.columns if c != "reached_quarter"]
shown = told.select(
    pl.col("reached_quarter").map_elements(t.quarter, return_dtype=pl.String).alias(
        t("column.reached_quarter")
    ),
    *(
        pl.col(c).map_elements(t.count, return_dtype=pl.String).fill_null(t.missing)
        .alias(t.month(dt.date.fromisoformat(c)))
        for c in months
    ),
)  # fmt: skip
st.caption(t("revisions.triangle_help"))
downloads.table(told, "revision_triangle", ctx, display=shown)
