"""Charts and tables with their downloads: PNG and SVG (server-side), CSV and XLSX.

Images are rendered on the server by kaleido with Debian's chromium, through one persistent
kaleido server per process (about 0.1 s an image instead of 2 s a launch). Files are made only
when clicked (a callable `data`, with `on_click="ignore"`, which measured reliable for repeated
downloads). Every file carries the active filters and the data date in its name, and a caption
with the data date and, where figures are withheld, what the symbol means: in an image's
margin, on a CSV's first line, above and under an XLSX table (werkpad.rendering.safe).
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard import data
from dashboard.shell import Context
from werkpad import disclosure
from werkpad.access import scope_filters
from werkpad.rendering import charts, safe
from werkpad.rendering.i18n import translations


def file_name(name: str, ctx: Context, ext: str) -> str:
    """werkpad_<what>_<filters>_<data date>.<ext>, safe on every file system."""
    slug = re.sub(r"[^A-Za-z0-9_.+-]+", "-", f"werkpad_{name}_{ctx.slug}_{ctx.data_date:%Y%m%d}")
    return f"{slug}.{ext}"


def caption(ctx: Context) -> str:
    """What a file shows: the selection (filters, scope, period) in the user's language."""
    return ctx.t("download.caption", filters=ctx.caption)


def notes(ctx: Context) -> tuple[str, ...]:
    """What a file says under its figures: the data date, the extract each project is read
    from (its lineage), and what the symbol means where the user's figures are withheld
    (funders and project leads)."""
    t = ctx.t
    date = t("download.data_date", date=t.date(ctx.data_date))
    dated = (date, ctx.lineage) if ctx.lineage else (date,)
    if ctx.threshold is None:
        return dated
    return *dated, t("access.suppressed_note", symbol=disclosure.SYMBOL, threshold=ctx.threshold)


def image_caption(ctx: Context) -> str:
    """The caption and notes an image carries in its bottom margin, one paragraph each."""
    return "\n".join([caption(ctx), *notes(ctx)])


def csv_bytes(frame: pl.DataFrame, ctx: Context) -> bytes:
    """CSV for Excel in the user's locale, caption and notes on the first line (safe.py)."""
    withheld = ctx.threshold is not None
    frame = _statuses_in_words(frame, ctx)
    return safe.csv_bytes(frame, caption(ctx), ctx.t.lang, notes(ctx), suppressed=withheld)


def xlsx_bytes(frame: pl.DataFrame, ctx: Context) -> bytes:
    """The table from row 3 of sheet `data`, the caption in A1, notes under it (safe.py)."""
    withheld = ctx.threshold is not None
    frame = _statuses_in_words(frame, ctx)
    return safe.xlsx_bytes(frame, caption(ctx), ctx.t.lang, notes=notes(ctx), suppressed=withheld)


STATUS_COLUMNS = ("status", "last_status")  # a file's fate in a load: loaded, refused, ...


def _statuses_in_words(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """A load status as the page says it ("geweigerd", not `refused`): the data quality
    files are read by a steward in her own language."""
    words = [
        pl.col(c).map_elements(lambda v: ctx.t.category("status", v), return_dtype=pl.String)
        for c in STATUS_COLUMNS
        if c in frame.columns and frame.schema[c] == pl.String
    ]
    return frame.with_columns(words) if words else frame


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _buttons(
    name: str, ctx: Context, files: dict[str, tuple[str, str, Callable[[], bytes]]], key: str = ""
) -> None:
    """One download button per format, made only when clicked (on_click="ignore"), side by
    side in one horizontal container: columns cost the browser a block per button on every
    rerun (benchmarks/bench_browser.py)."""
    row = st.container(horizontal=True)
    for ext, (mime, icon, make) in files.items():
        row.download_button(
            ctx.t(f"download.{ext}"),
            make,
            file_name(name, ctx, ext),
            mime,
            key=f"{ext}-{key or name}",
            on_click="ignore",
            icon=icon,
        )


def _nothing_to_draw(frame: pl.DataFrame) -> bool:
    """No rows, or no number in any numeric column (all withheld)."""
    numeric = [c for c, kind in frame.schema.items() if kind.is_numeric()]
    return frame.is_empty() or all(frame[c].null_count() == frame.height for c in numeric)


# plotly's camera button saves the chart without caption, data date or suppression note;
# the PNG download under every chart is the captioned image
PLOTLY_CONFIG = {"modeBarButtonsToRemove": ["toImage"]}


def chart(
    fig: go.Figure,
    frame: pl.DataFrame,
    name: str,
    ctx: Context,
    on_select: Callable[[], None] | None = None,
) -> None:
    """Show a chart with PNG, SVG, CSV and XLSX downloads of exactly what it shows; a chart
    with nothing to draw (no rows, or every value withheld) is a sentence saying so instead."""
    if _nothing_to_draw(frame):
        st.info(f"{fig.layout.title.text}: {ctx.t('app.chart_empty')}", icon=":material/info:")
        return
    if on_select:  # a click on a point or bar calls back (e.g. to filter to it)
        st.plotly_chart(
            fig,
            key=f"chart-{name}",
            on_select=on_select,
            selection_mode="points",
            config=PLOTLY_CONFIG,
        )
    else:
        st.plotly_chart(fig, key=f"chart-{name}", config=PLOTLY_CONFIG)
    show_data(frame, name, ctx, fig.layout.title.text)
    _buttons(
        name,
        ctx,
        {
            "png": (
                "image/png",
                ":material/image:",
                lambda: charts.export_image(fig, "png", image_caption(ctx)),
            ),
            "svg": (
                "image/svg+xml",
                ":material/draw:",
                lambda: charts.export_image(fig, "svg", image_caption(ctx)),
            ),
            "csv": ("text/csv", ":material/table:", lambda: csv_bytes(frame, ctx)),
            "xlsx": (XLSX, ":material/grid_on:", lambda: xlsx_bytes(frame, ctx)),
        },
    )


def _headers(frame: pl.DataFrame, ctx: Context) -> dict[str, Any]:
    """Each column under its name in words (`column.*`, else the metric's name), dates day
    first; a column with neither keeps its code."""
    texts = translations(ctx.t.lang)
    labels = {c: texts.get(f"column.{c}") or texts.get(f"metric.{c}") or c for c in frame.columns}
    dated = _date_columns(frame)
    return {c: {**dated.get(c, {}), "label": labels[c]} for c in frame.columns}


def _in_words(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Codes as the chart names them: provinces, regions, projects and partners by name,
    categories (partner type, step type, ...) by their label in the user's language."""
    texts = translations(ctx.t.lang)
    named = {}
    for column, kind in frame.schema.items():
        if kind != pl.String:
            continue
        names = ctx.names.get(column.removesuffix("_code"), {})
        if not names and any(k.startswith(f"category.{column}.") for k in texts):
            names = {v: ctx.t.category(column, v) for v in frame[column].unique().drop_nulls()}
        if names:
            named[column] = pl.col(column).replace(names)
    return frame.with_columns(**named) if named else frame


def show_data(frame: pl.DataFrame, name: str, ctx: Context, title: str | None) -> None:
    """The chart's text alternative: the figures it draws (the frame its CSV holds, codes
    in words) as a table under "show the data", for a screen reader or whoever wants the
    numbers. Built only while open (opening the expander reruns the page), so a page with
    ten charts sends no ten tables; a withheld figure reads as the symbol."""
    shown = st.expander(ctx.t("a11y.show_data"), key=f"show-data-{name}", on_change="rerun")
    if shown.open:
        shown.dataframe(
            _in_words(frame, ctx),
            hide_index=True,
            key=f"data-{name}",
            column_config=_headers(frame, ctx),
            placeholder=ctx.t.missing,
            alt=title or None,
        )


def _date_columns(frame: pl.DataFrame) -> dict[str, Any]:
    """Dates day first (31/05/2023), as Belgians write them."""
    config: dict[str, Any] = {
        c: st.column_config.DateColumn(format="DD/MM/YYYY")
        for c, kind in frame.schema.items()
        if kind == pl.Date
    }
    return config | {
        c: st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm")
        for c, kind in frame.schema.items()
        if isinstance(kind, pl.Datetime)
    }


def table(frame: pl.DataFrame, name: str, ctx: Context, display: Any = None) -> None:
    """Show a table (or its formatted `display` twin) with CSV and XLSX downloads of `frame`.

    Dates show day first (31/05/2023); downloads keep plain values for spreadsheets.
    """
    if display is not None and not isinstance(display, pl.DataFrame):  # a pandas Styler:
        st.dataframe(display, hide_index=True, key=f"table-{name}")  # sorts on the numbers
    else:
        shown = frame if display is None else display
        st.dataframe(
            shown, hide_index=True, key=f"table-{name}", column_config=_date_columns(shown)
        )
    _buttons(
        name,
        ctx,
        {
            "csv": ("text/csv", ":material/table:", lambda: csv_bytes(frame, ctx)),
            "xlsx": (XLSX, ":material/grid_on:", lambda: xlsx_bytes(frame, ctx)),
        },
        key=f"table-{name}",
    )


def pack_arguments(ctx: Context, first: dt.date) -> dict[str, Any]:
    """build_pack's arguments for what the page shows: every active filter, the period
    (the whole data when none is chosen), the user's scope and the vintage on screen."""
    chosen = {k: v for k, v in ctx.filters.items() if not k.startswith("scope_")}
    as_of = ctx.version[2]
    return {
        "period_from": chosen.pop("reached_from", first),
        "period_to": chosen.pop("reached_to", ctx.data_date),
        "filters": chosen,
        "lang": ctx.t.lang,
        "scope": scope_filters(ctx.user),
        "as_of": dt.date.fromisoformat(as_of) if as_of else None,
    }


def report_pack(ctx: Context, first: dt.date) -> None:
    """The funder report pack for exactly the selection in view (suppressed, threshold 10)."""
    from werkpad.report_pack import build_pack

    def make() -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "pack.zip"
            build_pack(data.cursor(ctx.version), out, **pack_arguments(ctx, first))
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


def submit_pack(ctx: Context, first: dt.date) -> None:
    """Let a steering member, or a project lead for her scope, submit the pack in view: built
    from the vintage on screen, frozen in the warehouse with every figure in it."""
    if ctx.user.role not in ("steering", "project_lead"):
        return
    t = ctx.t
    with st.popover(t("report.submit"), icon=":material/send:"):
        st.write(t("report.submit_explain"))
        if not st.button(t("report.submit_confirm"), key="submit-pack"):
            return
        record = _submitted(ctx, first)
    st.success(t("report.submitted", id=record["submission_id"], sha=record["sha256"]))


def _submitted(ctx: Context, first: dt.date) -> dict[str, Any]:
    from pipelines.submissions import store
    from werkpad import submissions
    from werkpad.report_pack import build_pack
    from werkpad.site import current_settings

    threshold = current_settings().report_threshold
    arguments = pack_arguments(ctx, first)
    con = data.cursor(ctx.version)
    with tempfile.TemporaryDirectory() as folder:
        pack = build_pack(con, Path(folder) / "pack.zip", threshold=threshold, **arguments)
        record = submissions.new_record(
            con, pack, report="esf", period=(arguments["period_from"], arguments["period_to"]),
            threshold=threshold, lang=ctx.t.lang, as_of=arguments["as_of"], by=ctx.user.name,
            now=dt.datetime.now().replace(microsecond=0),
        )  # fmt: skip
    store(data.warehouse_path(), record)
    return record
