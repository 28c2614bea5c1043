"""Chart functions: data in, plotly figure out. No queries, no Streamlit, no metric logic.

Colours: the Okabe-Ito palette, safe for the common colour-vision deficiencies. A category keeps
its colour on every page because the colour is taken from the category's position in the data
contract's list of values (category_order), never from the order it appears in a chart. Text is
large enough for a projector; every chart has a title and axis labels with units.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import textwrap
import warnings
from functools import cache
from typing import cast
from xml.sax.saxutils import escape as xml_escape

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
from plotly.basedatatypes import BaseTraceType

from werkpad import config, disclosure
from werkpad.contract import default_contract
from werkpad.metrics import categories
from werkpad.rendering.i18n import MISSING, Translator

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
NEUTRAL = "#7F7F7F"
FONT_SIZE = 16  # readable from the back of a steering-committee room
# Chart text (ticks, axis titles, labels beside bars) in dark grey, 9.7:1 on white: set in the
# figure, it also wins over Streamlit's on-screen chart theme, whose grey is 3.7:1 (WCAG AA
# asks 4.5:1). Text on a coloured mark is black or white, whichever contrasts more.
TEXT_COLOR = "#444444"
# px right of a horizontal bar chart for the longest bar's label ("12.345", "65,0 %")
OUTSIDE_LABEL_ROOM = 5 * FONT_SIZE
# Every figure starts from plotly_white. Set once as the default: naming it per figure made
# plotly deep-copy and re-validate the whole template each time (24 ms a bar chart, now 9).
pio.templates.default = "plotly_white"


@cache
def category_order(kind: str) -> list[str]:
    """A grouping's values in display order: the contract's or metrics.yaml's list
    (werkpad.metrics.categories), provinces in reference order; [] for data-valued groupings."""
    if kind == "province_code":
        return default_contract().reference_keys("provinces")
    return categories(kind)


def color(kind: str, value: object) -> str:
    """The fixed colour of a category value; neutral grey for an unknown one."""
    order = category_order(kind)
    return OKABE_ITO[order.index(value) % len(OKABE_ITO)] if value in order else NEUTRAL


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_on(colour: str) -> str:
    """Black or white, whichever reads better on a mark of this colour (every Okabe-Ito
    colour then reaches 4.5:1; plotly's own choice put white on vermillion, 3.8:1)."""
    light = _luminance(colour)
    return "#000000" if (light + 0.05) / 0.05 >= 1.05 / (light + 0.05) else "#ffffff"


def _validation() -> dict[str, bool]:
    """Whether plotly checks each property as it is set (werkpad.config.check_charts: in the
    tests, not in use, where it was a third of a filter change's rerun)."""
    return {"_validate": config.check_charts()}


def _figure(*data: BaseTraceType, layout: dict | None = None) -> go.Figure:
    """A figure of these traces, checked as config.check_charts says."""
    return go.Figure(data=list(data) or None, layout=layout, **_validation())


def _layout(
    fig: go.Figure | list[BaseTraceType], title: str, x: str = "", y: str = ""
) -> go.Figure:
    """Title, axis titles, font, margins and legend, in the house style.

    The figure is rebuilt with the merged layout rather than updated: plotly's update_layout
    with these nested settings took 14 ms a figure, building anew takes 2 (a filter change
    redraws every chart: benchmarks/bench_browser.py). Given traces, not a figure, the figure
    is built once (plotly copies every trace's data into each figure it builds)."""
    # Streamlit's chart theme sets its grey on the axes and the legend themselves; set in the
    # figure, ours win
    readable = {"color": TEXT_COLOR}
    axis = {"tickfont": readable}
    ours = {
        "title": {"text": title, "x": 0, "xanchor": "left"},
        "font": {"size": FONT_SIZE, "color": TEXT_COLOR},
        "xaxis": {**axis, "title": {"text": x, "font": readable}},
        "yaxis": {**axis, "title": {"text": y, "font": readable}},
        "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": -0.35, "font": readable},
    }
    data, layout = (fig, {}) if isinstance(fig, list) else (fig.data, fig.layout.to_plotly_json())
    layout.pop("template", None)  # the default (plotly_white) again; re-validating it is slow
    for key, value in ours.items():
        layout[key] = {**layout.get(key, {}), **value} if isinstance(value, dict) else value
    return _figure(*data, layout=layout)


def _shown(t: Translator, value: float | None, percent: bool = False) -> str:
    """A value as a person reads it: Belgian count or percentage, the symbol when withheld."""
    if value is None:
        return disclosure.SYMBOL
    return t.rate(value) if percent else t.count(value)


def _label(t: Translator, value: object) -> str:
    """An x value in words: a month in the user's language, anything else as it is."""
    return t.month(value) if isinstance(value, dt.date) else str(value)


def _escape(text: object) -> str:
    """Plotly reads tags in hover text: a name from the data is text, never markup."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _count_axis(fig: go.Figure, axis: str, whole: bool = True) -> None:
    """Counts start at zero (a 190-240 axis makes a dip look like a collapse), in whole
    numbers with the language's thousands separator; an average (people per partner) keeps
    one decimal where it has one, so its ticks never read 1, 1, 2, 2."""
    ticks = ",d" if whole else ",.1~f"
    fig.update_layout({f"{axis}axis": {"rangemode": "tozero", "tickformat": ticks}})


def _percent_axis(fig: go.Figure, axis: str, t: Translator, top: float | None = None) -> None:
    """A 0-based percentage axis with Belgian tick labels (40 %), every 10 or 20 points."""
    highest = top or 1.0
    ticks = [i / 10 for i in range(0, 11, 2 if highest > 0.5 else 1) if i / 10 <= highest]
    settings = {"rangemode": "tozero", "tickvals": ticks, "ticktext": [t.share(v) for v in ticks]}
    if top:
        settings["range"] = [0, top]
    fig.update_layout({f"{axis}axis": settings})


def _note_withheld(fig: go.Figure, t: Translator, values: list) -> go.Figure:
    """Say under a chart that some values are withheld, when they are."""
    if any(v is None for v in values):
        fig.update_layout(legend_title_text="")
        add_caption(fig, t("chart.withheld", symbol=disclosure.SYMBOL), y=-0.12)
    return fig


def _separators(fig: go.Figure, t: Translator) -> go.Figure:
    """Decimal and thousands separators of the language: nl 1.234,5; fr 1 234,5; en 1,234.5."""
    fig.update_layout(separators={"nl": ",.", "fr": ", ", "en": ".,"}[t.lang])
    return fig


def bar(
    frame: pl.DataFrame,
    kind: str,
    value: str,
    t: Translator,
    title: str,
    x_label: str,
    labels: dict[str, str] | None = None,
    horizontal: bool = True,
) -> go.Figure:
    """One bar per category, coloured by category, largest first; a withheld count is an
    empty bar labelled with the symbol, so the category stays visible as withheld."""
    frame = frame.sort(value, descending=not horizontal, nulls_last=not horizontal)
    names = [labels.get(v, v) if labels else t.category(kind, v) for v in frame[kind]]
    colours = [color(kind, v) if category_order(kind) else OKABE_ITO[0] for v in frame[kind]]
    values = frame[value].to_list()
    text = [_shown(t, v) for v in values]
    bars = [v or 0 for v in values]
    common = {"marker_color": colours, "text": text, "textposition": "outside",
              "cliponaxis": False, "hovertemplate": "%{customdata}: %{text}<extra></extra>",
              "customdata": [_escape(n) for n in names]}  # fmt: skip
    trace = (
        go.Bar(**_validation(), x=bars, y=names, orientation="h", **common)
        if horizontal
        else go.Bar(**_validation(), x=names, y=bars, **common)
    )
    fig = _figure(trace)
    fig = _layout(fig, title, *((x_label, "") if horizontal else ("", x_label)))
    if horizontal:  # room right of the longest bar for its label, which plotly would cut
        fig.update_layout(margin_r=OUTSIDE_LABEL_ROOM)
    _count_axis(fig, "x" if horizontal else "y")
    return _note_withheld(_separators(fig, t), t, values)


def lines(
    frame: pl.DataFrame,
    x: str,
    y: str,
    t: Translator,
    title: str,
    x_label: str,
    y_label: str,
    by: str | None = None,
    labels: dict[str, str] | None = None,
    percent: bool = False,
    faint: pl.DataFrame | None = None,
    faint_name: str = "",
    every_month: bool = False,
    quarters: bool = False,
) -> go.Figure:
    """A line per group (or one line) over x (dates: months, or with `quarters` quarters);
    `faint` (same columns) is a comparison drawn as a thin grey dotted line under the others.
    With `every_month` (a count per month), a month nobody is in is drawn as 0: a line never
    runs straight across years without data (a site whose programmes ran in 2014 and from
    2018)."""
    if every_month and not by and not frame.is_empty():
        frame = _every_month(frame, x, y)
    traces: list[BaseTraceType] = []
    if faint is not None and not faint.is_empty():
        faint = faint.sort(x)
        traces.append(
            go.Scatter(
                **_validation(),
                x=faint[x].to_list(),
                y=faint[y].to_list(),
                mode="lines",
                name=faint_name,
                line={"color": NEUTRAL, "width": 1.5, "dash": "dot"},
                connectgaps=False,
                text=[_shown(t, v, percent) for v in faint[y]],
                hovertemplate=f"{_escape(faint_name)}: %{{text}}<extra></extra>",
            )
        )
    groups = frame.partition_by(by, maintain_order=True, as_dict=True) if by else {(None,): frame}
    withheld: list[tuple[object, object]] = []
    for i, ((key,), part) in enumerate(groups.items()):
        part = part.sort(x)  # points in x order: a line never zigzags back in time
        name = (labels or {}).get(key, t.category(by, key)) if by else y_label
        # a category keeps its own colour; other groupings (windows, ...) take them in order
        line_color = color(by, key) if by and category_order(by) else OKABE_ITO[i % len(OKABE_ITO)]
        traces.append(
            go.Scatter(
                **_validation(),
                x=part[x].to_list(),
                y=part[y].to_list(),
                mode="lines+markers",
                name=name,
                line={"color": line_color, "width": 3},
                connectgaps=False,  # a withheld point is a gap, never a line drawn across it
                customdata=[f"{_escape(name)}<br>{_label(t, v)}" for v in part[x]],
                text=[_shown(t, v, percent) for v in part[y]],
                hovertemplate="%{customdata}: %{text}<extra></extra>",
            )
        )
        withheld += [(v, name) for v, n in zip(part[x], part[y], strict=True) if n is None]
    if withheld:  # an x on the axis where a value is withheld: "no activity" is never implied
        traces.append(
            go.Scatter(
                **_validation(),
                x=[v for v, _ in withheld],
                y=[0] * len(withheld),
                mode="markers",
                marker={"symbol": "x", "size": 11, "color": NEUTRAL},
                name=t("chart.withheld", symbol=disclosure.SYMBOL),
                customdata=[f"{_escape(n)} {_label(t, v)}" for v, n in withheld],
                hovertemplate="%{customdata}: " + disclosure.SYMBOL + "<extra></extra>",
            )
        )
    fig = _layout(traces, title, x_label, y_label)
    _localise_dates(fig, frame[x], t, quarters)
    if percent:
        _percent_axis(fig, "y", t)
    else:
        whole = all(float(v).is_integer() for v in frame[y].drop_nulls())
        _count_axis(fig, "y", whole)
    return _separators(fig, t)


def _every_month(frame: pl.DataFrame, x: str, y: str) -> pl.DataFrame:
    first, last = cast(dt.date, frame[x].min()), cast(dt.date, frame[x].max())
    months = pl.date_range(first, last, "1mo", eager=True).alias(x)
    full = months.to_frame().join(frame, on=x, how="left")
    missing = ~pl.col(x).is_in(frame[x].implode())
    return full.with_columns(pl.when(missing).then(0).otherwise(pl.col(y)).alias(y))


def _localise_dates(
    fig: go.Figure, values: pl.Series, t: Translator, quarters: bool = False
) -> None:
    """Month (or quarter) names in the user's language: Plotly's date ticks are English."""
    if values.dtype != pl.Date or values.is_empty():
        return
    months = values.unique().sort().to_list()
    step = max(1, len(months) // 8)
    ticks = months[::step]
    fig.update_xaxes(tickvals=ticks, ticktext=[(t.quarter if quarters else t.month)(d)
                                               for d in ticks])  # fmt: skip


def funnel(steps: list[tuple[str, int | None]], t: Translator, title: str) -> go.Figure:
    """The journey funnel; each bar shows its share of the first step."""
    first = steps[0][1] if steps else None
    text = [
        disclosure.SYMBOL
        if n is None
        else f"{t.count(n)} ({t.rate(n / first) if first else disclosure.SYMBOL})"
        for _, n in steps
    ]  # a withheld step stays in the funnel as an x, so no stage silently disappears
    fig = _figure(
        go.Funnel(
            **_validation(),
            y=[name for name, _ in steps],
            x=[n or 0 for _, n in steps],
            text=text,
            textinfo="text",
            hovertemplate="%{y}: %{text}<extra></extra>",
            marker={"color": OKABE_ITO[: len(steps)]},
            insidetextfont={"color": [text_on(c) for c in OKABE_ITO[: len(steps)]]},
        )
    )
    return _note_withheld(_separators(_layout(fig, title), t), t, [n for _, n in steps])


def rates_with_interval(
    frame: pl.DataFrame, group: str, rate: str, t: Translator, title: str, labels: dict[str, str]
) -> go.Figure:
    """A dot per group with its 95% interval, so a small group's uncertainty is visible."""
    frame = frame.filter(pl.col(rate).is_not_null()).sort(rate)
    names = [labels.get(v, t.category(group, v)) for v in frame[group]]
    fig = _figure(
        go.Scatter(
            **_validation(),
            x=frame[rate].to_list(),
            y=names,
            mode="markers",
            marker={"size": 12, "color": OKABE_ITO[0]},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (frame[f"{rate}_high"] - frame[rate]).to_list(),
                "arrayminus": (frame[rate] - frame[f"{rate}_low"]).to_list(),
            },
        )
    )
    fig.update_traces(
        text=[
            f"{t.rate(r)} ({t.rate(lo)}–{t.rate(hi)})"
            for r, lo, hi in frame.select(rate, f"{rate}_low", f"{rate}_high").iter_rows()
        ],
        hovertemplate="%{y}: %{text}<extra></extra>",
    )
    fig = _layout(fig, title, t("axis.rate"), "")
    _percent_axis(fig, "x", t, top=1.0)
    return _separators(fig, t)


# Control limits of a funnel plot: 95% (z 1.96) and 99.8% (z 3.09), the usual pair for
# comparing providers (Spiegelhalter 2005): outside 99.8% is rarely chance.
FUNNEL_LIMITS = ((1.96, 0.95), (3.09, 0.998))


def funnel_plot(
    frame: pl.DataFrame,
    group: str,
    rate: str,
    n: str,
    t: Translator,
    title: str,
    labels: dict[str, str],
    overall: float | None,
) -> go.Figure:
    """Rate against the number it is a share of, with 95% and 99.8% control limits around
    the overall rate: a small group far from the line may be chance, a large one is not.
    Points outside the 95% limits carry their name; every point names itself on hover and
    carries its code (customdata) so a click can filter the dashboard to it."""
    shown = frame.filter(pl.col(rate).is_not_null(), pl.col(n).is_not_null(), pl.col(n) > 0)
    traces: list[BaseTraceType] = []
    top = max([*shown[n].to_list(), 10])
    if overall is not None:
        sizes = [max(1, round(top * i / 100)) for i in range(1, 101)]
        for z, level in reversed(FUNNEL_LIMITS):
            # "95 %" and "99,8 %" in the reader's notation (en: 95%, 99.8%)
            name = t.share(level) if round(level * 100) == level * 100 else t.rate(level)
            spread = [z * (overall * (1 - overall) / m) ** 0.5 for m in sizes]
            for sign in (1, -1):
                traces.append(
                    go.Scatter(
                        **_validation(),
                        x=sizes,
                        y=[min(1, max(0, overall + sign * d)) for d in spread],
                        mode="lines",
                        line={"color": NEUTRAL, "width": 1, "dash": "dot" if z > 2 else "dash"},
                        name=t("conversion.limits", level=name),
                        showlegend=sign == 1,
                        hoverinfo="skip",
                    )
                )
    names = [labels.get(v, t.category(group, v)) for v in shown[group]]
    outside = _outside(shown[rate].to_list(), shown[n].to_list(), overall)
    traces.append(
        go.Scatter(
            **_validation(),
            x=shown[n].to_list(),
            y=shown[rate].to_list(),
            mode="markers+text",
            text=[_escape(name) if out else "" for name, out in zip(names, outside, strict=True)],
            textposition="top center",
            marker={"size": 11, "color": [OKABE_ITO[5] if o else OKABE_ITO[0] for o in outside]},
            customdata=shown[group].to_list(),
            hovertext=[
                f"{_escape(name)}: {t.rate(r)} ({t('axis.decisions')} {t.count(k)})"
                for name, r, k in zip(names, shown[rate], shown[n], strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
            name=t("conversion.groups"),
        )
    )
    fig = _layout(traces, title, t("axis.decisions"), t("axis.rate"))
    if overall is not None:
        fig.add_hline(y=overall, line={"color": NEUTRAL, "width": 1})
    _count_axis(fig, "x")
    _percent_axis(fig, "y", t, top=1.0)
    # withheld: no rate though some decided (or their number withheld); none decided is no rate
    withheld = pl.col(rate).is_null() & (pl.col(n).is_null() | (pl.col(n) > 0))
    missing = frame.filter(withheld).height
    if missing:  # a group with no point must not read as no group: say how many, and where
        fig.update_layout(legend_title_text="")
        note = t("chart.not_drawn", symbol=disclosure.SYMBOL, missing=missing, total=frame.height)
        add_caption(fig, note, y=-0.12)
    return _separators(fig, t)


def _outside(rates: list, sizes: list, overall: float | None) -> list[bool]:
    """Which points lie outside the 95% control limits around the overall rate."""
    if overall is None:
        return [False] * len(rates)
    z = FUNNEL_LIMITS[0][0]
    return [
        abs(r - overall) > z * (overall * (1 - overall) / k) ** 0.5
        for r, k in zip(rates, sizes, strict=True)
    ]


SANKEY_STAGES = ("referral_source", "decision_state", "outcome")


def sankey(
    steps: list[pl.DataFrame], totals: list[dict[str, int | None]], t: Translator, title: str
) -> go.Figure:
    """Referral source -> decision -> outcome, widths in people reached.

    Each step is its own published two-way table (`steps[i]`: stage i, stage i+1, reached),
    so far fewer cells are small than in one three-way table. A node's withheld flows are
    gathered into one flow to an "x" node, as wide as the node's published total
    (`totals[i]`) minus its shown flows: that difference can be worked out from the published
    figures anyway, so it reveals nothing, and every node keeps its honest size. A node with
    no published total (`totals[i]` lacks it) shows only its published flows; the note under
    the chart says when any flow is withheld."""
    withheld_node = (SANKEY_STAGES[-1], disclosure.SYMBOL)
    nodes: list[tuple[str, str]] = []
    for i, kind in enumerate(SANKEY_STAGES):
        seen = set()
        if i < len(steps):
            seen |= set(steps[i][kind].drop_nulls())
        if i > 0:
            seen |= set(steps[i - 1][kind].drop_nulls())
        nodes += [(kind, v) for v in category_order(kind) if v in seen]
    source, target, value = [], [], []
    gathered = False
    for i, step in enumerate(steps):
        a, b = SANKEY_STAGES[i], SANKEY_STAGES[i + 1]
        for node in [v for kind, v in nodes if kind == a]:
            out = step.filter(pl.col(a) == node)
            shown = out.filter(pl.col("reached").is_not_null(), pl.col("reached") > 0)
            for row in shown.iter_rows(named=True):
                source.append(nodes.index((a, node)))
                target.append(nodes.index((b, row[b])))
                value.append(row["reached"])
            rest = (totals[i].get(node) or 0) - int(shown["reached"].sum() or 0)
            if out["reached"].null_count() and totals[i].get(node) is not None and rest > 0:
                if withheld_node not in nodes:
                    nodes.append(withheld_node)
                source.append(nodes.index((a, node)))
                target.append(nodes.index(withheld_node))
                value.append(rest)
                gathered = True
    labels = [
        t("chart.withheld_flow", symbol=disclosure.SYMBOL) if (kind, v) == withheld_node
        else t.category(kind, v) for kind, v in nodes
    ]  # fmt: skip
    fig = _figure(
        go.Sankey(
            **_validation(),
            node={
                "label": labels,
                "color": [NEUTRAL if n == withheld_node else color(*n) for n in nodes],
                "pad": 18,
                "hovertemplate": "%{label}: %{value:,d}<extra></extra>",
            },
            link={
                "source": source,
                "target": target,
                "value": value,
                "hovertemplate": "%{source.label} → %{target.label}: %{value:,d}<extra></extra>",
            },
        )
    )
    fig = _separators(_layout(fig, title), t)
    lost = any(v is None for step in steps for v in step["reached"])  # shown nowhere
    return _note_withheld(fig, t, [None] if gathered or lost else [])


def add_caption(fig: go.Figure, caption: str, y: float = -0.25) -> go.Figure:
    """The caption (filters, data date, suppression note) under the plot, left-aligned."""
    fig.add_annotation(
        text=caption.replace("\n", "<br>"),
        xref="paper",
        yref="paper",
        x=0,
        y=y,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": 12},
        align="left",
    )
    return fig


# The caption band under an exported chart: the selection, the data date and what the symbol
# means, wrapped to the image's width so nothing is cut, in plotly's own font and grey.
CAPTION_FONT_SIZE = 13  # pixels; small print under a FONT_SIZE chart, still legible on A4
CAPTION_LINE_HEIGHT = 18  # pixels
CAPTION_PAD = 12  # pixels around the caption's lines
# An average character of the sans-serif fonts plotly asks for (Open Sans, Verdana, Arial,
# Liberation Sans) is at most 0.55 em wide: lines this long never run off the image.
CAPTION_EM_PER_CHAR = 0.55
CAPTION_STYLE = (
    "font-family: 'Open Sans', verdana, arial, sans-serif; "
    f"font-size: {CAPTION_FONT_SIZE}px; fill: rgb(68, 68, 68);"
)
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # no place in XML text


def caption_lines(caption: str, width: int) -> list[str]:
    """The caption wrapped to lines that fit an image `width` pixels wide; each paragraph
    (a line of the caption) starts a new line. A word longer than a line is broken."""
    chars = max(20, int((width - 2 * CAPTION_PAD) / (CAPTION_EM_PER_CHAR * CAPTION_FONT_SIZE)))
    paragraphs = _UNPRINTABLE.sub("", caption).splitlines()
    return [line for p in paragraphs for line in textwrap.wrap(p, chars, break_on_hyphens=False)]


def _captioned_svg(chart: str, lines: list[str], width: int, chart_height: int) -> str:
    """The chart's SVG with the caption's lines in a band under it, in one SVG document."""
    height = chart_height + 2 * CAPTION_PAD + len(lines) * CAPTION_LINE_HEIGHT
    first = chart_height + CAPTION_PAD + CAPTION_FONT_SIZE
    texts = "".join(
        f'<text class="caption" x="{CAPTION_PAD}" y="{first + i * CAPTION_LINE_HEIGHT}" '
        f'style="{CAPTION_STYLE}">{xml_escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<rect x="0" y="0" width="{width}" height="{height}" style="fill: rgb(255, 255, 255);"/>'
        f"{chart}{texts}</svg>"
    )


def _picture(svg: str, width: int, height: int) -> go.Figure:
    """A figure that is only the given SVG, edge to edge: kaleido turns it into PNG or PDF."""
    source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    image = {"source": source, "xref": "paper", "yref": "paper", "x": 0, "y": 1, "sizex": 1,
             "sizey": 1, "xanchor": "left", "yanchor": "top", "sizing": "stretch"}  # fmt: skip
    return go.Figure(
        layout={
            "images": [image],
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "width": width,
            "height": height,
        }
    )


def _render(fig: go.Figure, fmt: str, width: int, height: int) -> bytes:
    import kaleido

    kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "kopts ignored if using a server"
        return pio.to_image(fig, format=fmt, width=width, height=height)


def export_image(
    fig: go.Figure, fmt: str, caption: str | None = None, width: int = 1200, height: int = 700
) -> bytes:
    """PNG, SVG or PDF of a figure, rendered by kaleido with Debian's chromium.

    One persistent kaleido server per process (about 0.1 s an image instead of 2 s a launch).
    A caption (filters, data date, suppression note; one paragraph a line) goes in a band
    under the chart, wrapped to the width: the chart is drawn that much shorter, so its own
    legend and axis labels keep their place and the image keeps its size. A caption too long
    for half the height makes the image taller rather than being cut. The band is SVG text;
    a PNG or PDF is that SVG drawn by the same chromium.
    """
    # the house template, whatever the process's default: a served dashboard's is Streamlit's,
    # which has no automargin, so axis labels were cut at the image's edge
    fig = go.Figure(fig).update_layout(template="plotly_white")
    if not caption:
        return _render(fig, fmt, width, height)
    lines = caption_lines(caption, width)
    band = 2 * CAPTION_PAD + len(lines) * CAPTION_LINE_HEIGHT
    chart_height = max(height - band, height // 2)
    chart = _render(fig, "svg", width, chart_height).decode()
    svg = _captioned_svg(chart, lines, width, chart_height)
    if fmt == "svg":
        return svg.encode()
    return _render(_picture(svg, width, chart_height + band), fmt, width, chart_height + band)


STATUS_COLOURS = {  # Okabe-Ito, and always beside the status in words
    "behind": "#D55E00",
    "at_risk": "#E69F00",
    "on_track": "#009E73",
    "above": "#0072B2",
}


def target_progress(frame: pl.DataFrame, t: Translator, title: str) -> go.Figure:
    """A bar per target: the share of the target reached, with a tick where it should be by
    now (the elapsed share for a count, the whole target for a rate) and, beside it, the
    actual of the target and the status in words (colour is never the only sign). A withheld
    actual is an empty bar with the symbol, its status withheld too."""
    names = [_escape(n) for n in frame["label"]]
    shares = [a if a is not None else 0 for a in frame["achievement"]]
    statuses = frame["status"].to_list()
    text = [
        # a status that is no judgement (no data yet) has no actual: a dash, not withheld
        t(
            "targets.of",
            actual=_target_value(t, a, rate) if s in (None, *STATUS_COLOURS) else MISSING,
            target=_target_value(t, g, rate),
        )
        + " · "
        + (t(f"targets.status.{s}") if s else t.missing)
        for a, g, rate, s in zip(
            frame["actual"], frame["target"], frame["is_rate"], statuses, strict=True
        )
    ]
    fig = _figure(
        go.Bar(
            **_validation(),
            x=shares,
            y=names,
            orientation="h",
            text=text,
            textposition="none",
            meta="share",  # shares of a target, not counts of people
            marker_color=[STATUS_COLOURS.get(s, NEUTRAL) for s in statuses],
            customdata=names,
            hovertemplate="%{customdata}: %{text}<extra></extra>",
            showlegend=False,
        )  # fmt: skip
    )
    expected = frame["expected_share"].to_list()
    fig.add_trace(
        go.Scatter(
            **_validation(),
            x=expected,
            y=names,
            mode="markers",
            name=t("targets.expected"),
            marker={"symbol": "line-ns", "size": 30, "line": {"width": 3, "color": TEXT_COLOR}},
            text=[t.rate(e) for e in expected],
            hovertemplate="%{y}: " + _escape(t("targets.expected")) + " %{text}<extra></extra>",
        )  # fmt: skip
    )
    fig = _layout(fig, title, t("targets.axis_share"), "")
    top = max([1.0, *shares, *expected])
    _percent_axis(fig, "x", t, top * 1.05)
    # the figures under each target's name, left of the plot, where neither a bar nor the tick
    # crosses them and the axis makes room for them at any width (automargin)
    fig.update_layout(
        yaxis={
            "autorange": "reversed",
            "automargin": True,
            "tickvals": names,
            "ticktext": [
                f"{name}<br>{_escape(label)}" for name, label in zip(names, text, strict=True)
            ],
        },
        height=(height := max(260, 120 + 56 * frame.height)),
        legend={"y": -90 / (height - 70)},  # just under the axis title, whatever the height
    )
    return _separators(fig, t)


def _target_value(t: Translator, value: float | None, rate: bool) -> str:
    """A target's figure; none is the translator's missing mark: x where figures are
    suppressed, a dash where none is (a rate nobody could take yet)."""
    if value is None:
        return t.missing
    return t.rate(value) if rate else t.count(value)


def target_paths(frame: pl.DataFrame, t: Translator, title: str, x_label: str) -> go.Figure:
    """Per count target its cumulative actual by month (a solid line) and its path, the
    target pro-rated to each month (dashed, same colour). A running total that a withheld
    month makes unknown is a gap, never guessed."""
    traces: list[BaseTraceType] = []
    for i, ((name,), part) in enumerate(
        frame.partition_by("label", maintain_order=True, as_dict=True).items()
    ):
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        months = part["month"].to_list()
        label = _escape(name)
        traces.append(
            go.Scatter(
                **_validation(),
                x=months,
                y=part["actual"].to_list(),
                mode="lines",
                name=label,
                legendgroup=label,
                line={"color": colour, "width": 3},
                connectgaps=False,
                text=[_shown(t, v) for v in part["actual"]],
                customdata=[t.month(m) for m in months],
                hovertemplate=f"{label} %{{customdata}}: %{{text}}<extra></extra>",
            )  # fmt: skip
        )
        path = _escape(t("targets.path", name=name))
        traces.append(
            go.Scatter(
                **_validation(),
                x=months,
                y=part["path"].to_list(),
                mode="lines",
                name=path,
                legendgroup=label,
                showlegend=False,  # one legend entry below says what a dashed line is
                line={"color": colour, "width": 2, "dash": "dash"},
                text=[t.count(v) for v in part["path"]],
                customdata=[t.month(m) for m in months],
                hovertemplate=f"{path} %{{customdata}}: %{{text}}<extra></extra>",
            )  # fmt: skip
        )
    traces.append(  # the key to the dashed lines, drawn nowhere
        go.Scatter(
            **_validation(),
            x=[None],
            y=[None],
            mode="lines",
            name=_escape(t("targets.path_key")),
            line={"color": NEUTRAL, "width": 2, "dash": "dash"},
            hoverinfo="skip",
        )  # fmt: skip
    )
    fig = _layout(traces, title, x_label, t("targets.axis_value"))
    fig.update_layout(  # a legend of many targets beside the plot, not over its axis
        legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"},
        height=max(450, 120 + 26 * len(fig.data)),
    )
    if not frame.is_empty():
        _localise_dates(fig, frame["month"], t)
    _count_axis(fig, "y")
    return _note_withheld(_separators(fig, t), t, frame["actual"].to_list())
