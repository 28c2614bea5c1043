"""Data quality: each project's live snapshot, recent files, refused files with their reports."""

import io
import zipfile
from pathlib import Path

import polars as pl
import streamlit as st

from werkpad.dashboard import data, downloads
from werkpad.dashboard.shell import context


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
for row in refused.head(20).iter_rows(named=True):
    with st.expander(f"{row['file_name']} ({t.category('status', 'refused')})"):
        for reason in row["reasons"]:
            st.markdown(f"- {reason}")  # rule, columns, counts, row numbers: no cell values
        report = Path(row["report_path"]) if row["report_path"] else None
        if report and report.exists():
            with st.container(border=True):  # our own report: rules and row numbers only
                st.markdown(report.read_text(encoding="utf-8"))
            st.caption(f"{t('quality.report')}: {report}")
            docs = report.with_name(report.name.replace(".report.md", ".datadocs")) / "index.html"
            if docs.exists():
                st.download_button(
                    t("quality.data_docs"),
                    lambda d=docs.parent: _zipped(d),
                    f"{docs.parent.name}.zip",
                    "application/zip",
                    key=f"docs-{docs.parent.name}",
                    on_click="ignore",
                    icon=":material/description:",
                )
