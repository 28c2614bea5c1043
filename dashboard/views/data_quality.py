"""Data quality: each project's live snapshot, recent files, refused files with their reports."""

import io
import zipfile
from functools import partial
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import data, downloads
from dashboard.shell import context
from werkpad import config
from werkpad.rendering.safe import markdown_literal


def _zipped(folder: Path) -> bytes:
    """A Data Docs site as one ZIP (open index.html after unpacking)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in folder.rglob("*"):
            archive.write(path, path.relative_to(folder.parent))
    return buffer.getvalue()


ctx = context()
t = ctx.t
st.title(t("nav.data_quality"))
st.subheader(t("quality.snapshots"))
snapshots = ctx.project_rows(data.table(ctx.version, "snapshots")).select(
    "project_code", "extract_date", "rows", "loaded_at", "last_status"
)
downloads.table(snapshots, "snapshots", ctx)
st.subheader(t("quality.runs"))
runs = (
    ctx.project_rows(data.table(ctx.version, "run_files"))
    .with_columns(pl.col("reasons").list.join("; "))
    .select("ended_at", "file_name", "project_code", "extract_date", "status", "rows", "reasons")
)
downloads.table(runs, "run_files", ctx)
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
        report = Path(row["report_path"]) if row["report_path"] else None
        if report and report.exists():
            with st.container(border=True):  # our own report: rules and row numbers only
                st.code(report.read_text(encoding="utf-8"), language=None, wrap_lines=True)
            st.caption(f"{t('quality.report')}: {markdown_literal(report)}")
            docs = report.with_name(report.name.replace(".report.md", ".datadocs")) / "index.html"
            if docs.exists():
                st.download_button(
                    t("quality.data_docs"),
                    partial(_zipped, docs.parent),
                    f"{docs.parent.name}.zip",
                    "application/zip",
                    key=f"docs-{docs.parent.name}",
                    on_click="ignore",
                    icon=":material/description:",
                )
