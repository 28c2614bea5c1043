"""Charts and tables with their downloads: PNG and SVG (server-side), CSV and XLSX.

Images are rendered on the server by kaleido with Debian's chromium, through one persistent
kaleido server per process (about 0.1 s an image instead of 2 s a launch). Files are made only
when clicked (a callable `data`, with `on_click="ignore"`, which measured reliable for repeated
downloads). Every file carries the active filters and the data date in its name and a caption.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import warnings
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
import streamlit as st
import xlsxwriter

from werkpad.access import scope_filters
from werkpad.dashboard import data
from werkpad.dashboard.shell import Context


def _kaleido_server() -> None:
    import kaleido

    kaleido.start_sync_server(mathjax=False, silence_warnings=True)  # once per process


def file_name(name: str, ctx: Context, ext: str) -> str:
    """werkpad_<what>_<filters>_<data date>.<ext>, safe on every file system."""
    slug = re.sub(r"[^A-Za-z0-9_.+-]+", "-", f"werkpad_{name}_{ctx.slug}_{ctx.data_date:%Y%m%d}")
    return f"{slug}.{ext}"


def image(fig: go.Figure, ctx: Context, fmt: str) -> bytes:
    """The figure as PNG or SVG with the caption (filters, data date) under it."""
    _kaleido_server()
    exported = go.Figure(fig)
    exported.add_annotation(
        text=ctx.caption,
        xref="paper",
        yref="paper",
        x=0,
        y=-0.25,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": 12},
    )
    exported.update_layout(margin={"b": 120})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "kopts ignored if using a server"
        return pio.to_image(exported, format=fmt, width=1200, height=700)


def csv_bytes(frame: pl.DataFrame, ctx: Context) -> bytes:
    """CSV with the caption as a first comment line (read back with comment_prefix='#')."""
    return f"# {ctx.caption}\n".encode() + frame.write_csv().encode("utf-8")


def xlsx_bytes(frame: pl.DataFrame, ctx: Context) -> bytes:
    """The table from row 3 of sheet `data`, with the caption in A1."""
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer) as book:
        frame.write_excel(book, worksheet="data", position="A3", autofit=True)
        book.get_worksheet_by_name("data").write("A1", ctx.caption)
    return buffer.getvalue()


def chart(fig: go.Figure, frame: pl.DataFrame, name: str, ctx: Context) -> None:
    """Show a chart with PNG, SVG and CSV downloads of exactly what it shows."""
    st.plotly_chart(fig, key=f"chart-{name}")
    t = ctx.t
    cols = st.columns(3)
    cols[0].download_button(
        t("download.png"),
        lambda: image(fig, ctx, "png"),
        file_name(name, ctx, "png"),
        "image/png",
        key=f"png-{name}",
        on_click="ignore",
        icon=":material/image:",
    )
    cols[1].download_button(
        t("download.svg"),
        lambda: image(fig, ctx, "svg"),
        file_name(name, ctx, "svg"),
        "image/svg+xml",
        key=f"svg-{name}",
        on_click="ignore",
        icon=":material/draw:",
    )
    cols[2].download_button(
        t("download.csv"),
        lambda: csv_bytes(frame, ctx),
        file_name(name, ctx, "csv"),
        "text/csv",
        key=f"csv-{name}",
        on_click="ignore",
        icon=":material/table:",
    )


def table(frame: pl.DataFrame, name: str, ctx: Context) -> None:
    """Show a table with CSV and XLSX downloads."""
    st.dataframe(frame, hide_index=True, key=f"table-{name}")
    t = ctx.t
    cols = st.columns(2)
    cols[0].download_button(
        t("download.csv"),
        lambda: csv_bytes(frame, ctx),
        file_name(name, ctx, "csv"),
        "text/csv",
        key=f"tcsv-{name}",
        on_click="ignore",
        icon=":material/table:",
    )
    cols[1].download_button(
        t("download.xlsx"),
        lambda: xlsx_bytes(frame, ctx),
        file_name(name, ctx, "xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx-{name}",
        on_click="ignore",
        icon=":material/grid_on:",
    )


def report_pack(ctx: Context, first: dt.date) -> None:
    """The funder report pack for the period and projects in view (suppressed, threshold 10)."""
    from werkpad.report_pack import build_pack

    def make() -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "pack.zip"
            build_pack(
                data.cursor(ctx.version),
                out,
                ctx.filters.get("reached_from", first),
                ctx.filters.get("reached_to", ctx.data_date),
                ctx.filters.get("project") or None,
                lang=ctx.t.lang,
                scope=scope_filters(ctx.user),
            )
            return out.read_bytes()

    st.download_button(
        ctx.t("report.button"),
        make,
        file_name(ctx.t("report.title"), ctx, "zip"),
        "application/zip",
        key="report-pack",
        on_click="ignore",
        icon=":material/folder_zip:",
    )
