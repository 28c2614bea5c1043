"""Data quality: each project's live snapshot, recent files, refused files with their reports."""

from functools import partial
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import data, downloads
from dashboard.shell import context
from pipelines import quarantine
from werkpad import config
from werkpad.rendering.safe import markdown_literal

ctx = context()
t = ctx.t


def readable(frame: pl.DataFrame) -> pl.DataFrame:
    """The table as a person reads it: translated headers and statuses, Belgian numbers,
    "–" where there is nothing (never "None"); the downloads keep the plain values."""
    shown = frame
    if "last_status" in frame.columns or "status" in frame.columns:
        shown = shown.with_columns(
            pl.col(c).map_elements(lambda v: t.category("status", v), return_dtype=pl.String)
            for c in ("last_status", "status")
            if c in frame.columns
        )
    if "rows" in frame.columns:
        shown = shown.with_columns(
            pl.col("rows").map_elements(t.count, return_dtype=pl.String).fill_null(t.missing)
        )
    text = [c for c, kind in shown.schema.items() if kind == pl.String]
    shown = shown.with_columns(pl.col(c).fill_null(t.missing) for c in text)
    return shown.rename({c: t(f"column.{c}") for c in shown.columns})


st.title(t("nav.data_quality"))
st.subheader(t("quality.snapshots"))
snapshots = ctx.project_rows(data.table(ctx.version, "snapshots")).select(
    "project_code", "extract_date", "rows", "loaded_at", "last_status"
)
downloads.table(snapshots, "snapshots", ctx, display=readable(snapshots))
placed = ctx.project_rows(data.table(ctx.version, "placement_snapshots"))
if not placed.is_empty():  # projects that deliver placements (issue 13)
    st.subheader(t("quality.placement_snapshots"))
    downloads.table(placed, "placement_snapshots", ctx, display=readable(placed))
st.subheader(t("quality.runs"))
runs = (
    ctx.project_rows(data.table(ctx.version, "run_files"))
    .with_columns(pl.col("reasons").list.join("; "))
    .select("ended_at", "file_name", "project_code", "extract_date", "status", "rows", "reasons")
)
downloads.table(runs, "run_files", ctx, display=readable(runs))
st.subheader(t("quality.refused"))
refused = ctx.project_rows(data.table(ctx.version, "refused_files"))
if refused.is_empty():
    st.write(t("quality.no_refused"))
# file names, reasons and reports come from partners' files: shown as text, never Markdown
for row in refused.head(config.REFUSED_FILES_LISTED).iter_rows(named=True):
    label = f"{markdown_literal(row['file_name'])} ({t.category('status', 'refused')})"
    with st.expander(label):
        # the name as it is (the label's is escaped), then rule, columns, counts, row numbers
        reasons = [f"- {reason}" for reason in row["reasons"] or []]
        st.text("\n".join([row["file_name"], *reasons]))
        text = quarantine.report_text(row["report_path"])
        if text is not None:
            with st.container(border=True):  # our own report: rules and row numbers only
                st.code(text, language=None, wrap_lines=True)
            # the report's name only: where the server keeps it is no business of the page
            report_name = Path(row["report_path"]).name
            st.caption(f"{t('quality.report')}: {markdown_literal(report_name)}")
            docs = quarantine.data_docs_folder(row["report_path"])
            if docs is not None:
                st.download_button(
                    t("quality.data_docs"),
                    partial(quarantine.zipped, docs),
                    f"{docs.name}.zip",
                    "application/zip",
                    key=f"docs-{docs.name}",
                    on_click="ignore",
                    icon=":material/description:",
                )
