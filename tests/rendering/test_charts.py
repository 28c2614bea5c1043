"""What a person reads in a chart: Belgian numbers, translated hover texts, honest axes, and
withheld values marked instead of silently bending the line.

The figures are inspected as plotly JSON, which is what the browser draws.
"""

from __future__ import annotations

import datetime as dt
import json
import os

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from werkpad import disclosure
from werkpad.rendering import charts
from werkpad.rendering.i18n import Translator

NL = Translator("nl", missing=disclosure.SYMBOL)
PLOTLY_ENGLISH = ("of initial", "incoming flow count", "outgoing flow count", "percent initial")


def _spec(fig) -> dict:
    return json.loads(fig.to_json())


def _months(n: int) -> list[dt.date]:
    return [dt.date(2022 + (m // 12), m % 12 + 1, 1) for m in range(n)]


def test_funnel_numbers_are_belgian_and_hover_has_no_plotly_english():
    fig = charts.funnel([("Bereikt", 4800), ("Verkenning", 3744)], NL, "Trechter")
    trace = _spec(fig)["data"][0]
    assert trace["text"] == ["4.800 (100,0 %)", "3.744 (78,0 %)"]
    assert trace["textinfo"] == "text"
    assert not any(word in json.dumps(_spec(fig)) for word in PLOTLY_ENGLISH)


def test_a_withheld_funnel_step_is_an_x_not_an_error():
    fig = charts.funnel([("Bereikt", 14), ("Verkenning", None), ("Beslist", 9)], NL, "T")
    assert _spec(fig)["data"][0]["text"] == ["14 (100,0 %)", disclosure.SYMBOL, "9 (64,3 %)"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(0, 5000)), min_size=1, max_size=24),
    st.randoms(use_true_random=False),
)
def test_a_line_is_in_month_order_with_a_gap_and_an_x_where_a_value_is_withheld(values, rnd):
    months = _months(len(values))
    rows = list(zip(months, values, strict=True))
    rnd.shuffle(rows)  # the frame may come in any order
    frame = pl.DataFrame(rows, schema={"m": pl.Date, "n": pl.Int64}, orient="row")
    fig = charts.lines(frame, "m", "n", NL, "Per maand", "Maand", "Personen")
    line, *marks = _spec(fig)["data"]
    assert line["x"] == [m.isoformat() for m in months]  # sorted, every month kept
    assert line["y"] == values and line["connectgaps"] is False
    withheld = [m.isoformat() for m, v in zip(months, values, strict=True) if v is None]
    assert [x for mark in marks for x in mark["x"]] == withheld
    assert all(mark["marker"]["symbol"] == "x" for mark in marks)
    assert _spec(fig)["layout"]["yaxis"]["rangemode"] == "tozero"
    assert line["text"] == [disclosure.SYMBOL if v is None else NL.count(v) for v in values]


def test_a_withheld_bar_stays_visible_as_withheld():
    frame = pl.DataFrame({"gender": ["M", "F", "X"], "n": [1200, 1300, None]})
    fig = charts.bar(frame, "gender", "n", NL, "Per gender", "Personen")
    trace = _spec(fig)["data"][0]
    assert trace["text"] == [disclosure.SYMBOL, "1.200", "1.300"]  # drawn bottom-up: largest on top
    assert len(trace["y"]) == 3  # the withheld category is still on the chart
    notes = [a["text"] for a in _spec(fig)["layout"].get("annotations", [])]
    assert any("weggelaten" in n for n in notes)
    assert _spec(fig)["layout"]["xaxis"]["rangemode"] == "tozero"


def test_percent_axes_read_belgian():
    frame = pl.DataFrame(
        {"g": ["a", "b"], "r": [0.62, 0.7], "r_low": [0.5, 0.6], "r_high": [0.7, 0.8]}
    )
    fig = charts.rates_with_interval(frame, "g", "r", NL, "Stapratio", {"a": "A", "b": "B"})
    axis = _spec(fig)["layout"]["xaxis"]
    assert "40 %" in axis["ticktext"] and axis["range"] == [0, 1]
    assert _spec(fig)["data"][0]["text"][0] == "62,0 % (50,0 %–70,0 %)"


def test_a_name_from_the_data_is_text_in_a_hover():
    frame = pl.DataFrame({"p": ["<b>x</b>"], "n": [12]})
    fig = charts.bar(frame, "p", "n", NL, "t", "Personen", labels={"<b>x</b>": "<b>x</b>"})
    assert _spec(fig)["data"][0]["customdata"] == ["&lt;b&gt;x&lt;/b&gt;"]


def test_the_funnel_plot_names_the_groups_outside_its_limits():
    frame = pl.DataFrame(
        {
            "g": ["big_low", "small_low", "typical", "withheld"],
            "r": [0.40, 0.40, 0.66, None],
            "n": [400, 12, 200, 3],
        }
    )
    fig = charts.funnel_plot(frame, "g", "r", "n", NL, "Funnel", {"big_low": "Groot"}, 0.65)
    points = _spec(fig)["data"][-1]
    named = dict(zip(points["customdata"], points["text"], strict=True))
    assert named == {"big_low": "Groot", "small_low": "", "typical": ""}  # 12 is chance
    limits = _spec(fig)["data"][:-1]
    upper_95 = next(t for t in limits if "95 %" in t["name"] and "99" not in t["name"])
    n_at, y_at = upper_95["x"][-1], upper_95["y"][-1]
    assert y_at == pytest.approx(0.65 + 1.96 * (0.65 * 0.35 / n_at) ** 0.5)
    assert "x" in json.dumps(_spec(fig)["layout"]["annotations"])  # the withheld group noted


def test_the_sankey_keeps_node_sizes_honest_with_one_x_flow_per_node():
    first = pl.DataFrame(
        {
            "referral_source": ["care_partner", "care_partner", "care_partner", "ocmw"],
            "decision_state": ["step_to_work", "no_step_now", "exploring", "step_to_work"],
            "reached": [40, None, None, 30],
        }
    )
    second = pl.DataFrame(
        {"decision_state": ["step_to_work"], "outcome": ["paid_job"], "reached": [50]}
    )
    totals = [{"care_partner": 47, "ocmw": 30}, {}]
    spec = _spec(charts.sankey([first, second], totals, NL, "Sankey"))
    link, labels = spec["data"][0]["link"], spec["data"][0]["node"]["label"]
    out: dict[str, int] = {}
    for source, value in zip(link["source"], link["value"], strict=True):
        out[labels[source]] = out.get(labels[source], 0) + value
    care = NL.category("referral_source", "care_partner")
    assert out[care] == 47  # 40 shown + one x flow of 7, the published total
    x_node = labels.index(f"{disclosure.SYMBOL} (weggelaten stromen)")
    assert [v for t, v in zip(link["target"], link["value"], strict=True) if t == x_node] == [7]
    assert any("weggelaten" in a["text"] for a in spec["layout"]["annotations"])


def test_an_average_keeps_its_decimal_on_the_axis_a_count_does_not():
    """People per partner (0.4, 1.5, 3.6) on a whole-number axis read 0, 1, 1, 2, 2."""
    months = _months(3)
    average = pl.DataFrame({"m": months, "n": [0.4, 1.5, 3.6]})
    counts = pl.DataFrame({"m": months, "n": [4, 15, 36]})
    tick = {
        name: _spec(charts.lines(f, "m", "n", NL, "T", "Maand", "Per partner"))["layout"]["yaxis"]
        for name, f in (("average", average), ("counts", counts))
    }
    assert tick["average"]["tickformat"] == ",.1~f"
    assert tick["counts"]["tickformat"] == ",d"


def test_the_funnel_plot_says_how_many_groups_it_cannot_draw():
    """A lead's partners: those with a withheld rate have no point; the note counts them, so
    7 points for 18 partners never read as 7 partners. A group nobody decided in has no rate
    to withhold and is not counted."""
    frame = pl.DataFrame(
        {
            "g": [f"p{i}" for i in range(6)],
            "r": [0.6, 0.7, None, None, None, None],
            "n": [40, 30, 3, None, 0, 2],
        }
    )
    fig = charts.funnel_plot(frame, "g", "r", "n", NL, "Funnel", {}, 0.65)
    notes = " ".join(a["text"] for a in _spec(fig)["layout"]["annotations"])
    assert NL("chart.not_drawn", symbol="x", missing=3, total=6) in notes
    full = frame.filter(pl.col("r").is_not_null())
    fig = charts.funnel_plot(full, "g", "r", "n", NL, "Funnel", {}, 0.65)
    assert not _spec(fig)["layout"].get("annotations")


def test_a_monthly_count_is_zero_in_a_month_without_people_not_a_straight_line():
    """Two programmes years apart: the months between are 0, a withheld month stays x."""
    frame = pl.DataFrame(
        {
            "m": [dt.date(2014, 1, 1), dt.date(2014, 2, 1), dt.date(2014, 6, 1)],
            "n": [12, None, 30],
        }
    )
    fig = charts.lines(frame, "m", "n", NL, "t", "Maand", "Personen", every_month=True)
    line = next(tr for tr in _spec(fig)["data"] if tr["mode"] == "lines+markers")
    assert [str(x)[:10] for x in line["x"]] == [f"2014-0{m}-01" for m in range(1, 7)]
    assert line["y"] == [12, None, 0, 0, 0, 30]


def test_plotly_checks_the_charts_in_the_tests_only(monkeypatch):
    """Plotly's property checks are off in use (a third of a filter change's rerun) and on
    in the tests (tests/conftest.py), where a wrong property name must still fail."""
    import plotly.graph_objects as go

    from werkpad.rendering.charts import _figure, _validation

    assert os.environ["WERKPAD_CHECK_CHARTS"] == "1"
    with pytest.raises(ValueError, match="no_such_property"):
        _figure(go.Scatter(**_validation(), x=[1], no_such_property=1))
    monkeypatch.setenv("WERKPAD_CHECK_CHARTS", "0")
    unchecked = _figure(go.Scatter(**_validation(), x=[1], y=[2]), layout={"height": 300})
    assert unchecked.to_dict()["data"][0]["y"] == [2] and unchecked.layout.height == 300
