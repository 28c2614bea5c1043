"""A withheld figure stays on the chart as withheld, never silently dropped (issue #10
item 4): a project lead's early-stop reasons include the ones whose count is withheld."""

from __future__ import annotations

import json

import polars as pl

from werkpad import disclosure
from werkpad.rendering.i18n import Translator


def _bars(at, title: str) -> list[tuple[str, str]]:
    """(category, label shown) of each bar of the chart with this title."""
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if spec["layout"]["title"]["text"] == title:
            bar = spec["data"][0]
            return list(zip(bar["y"], bar["text"], strict=True))
    raise AssertionError(f"no chart {title!r}")


def test_a_withheld_early_stop_reason_is_shown_as_withheld(signed_in, all_trajectories):
    t = Translator("nl")
    at = signed_in("lies", region="LIM-MLI")
    at.switch_page("views/outcomes.py").run()
    assert not at.exception
    bars = dict(_bars(at, t("outcomes.early_stops_title")))
    mine = all_trajectories.filter(
        pl.col("region_code") == "LIM-MLI", pl.col("end_reason").str.starts_with("early_stop")
    )
    reasons = mine["end_reason"].unique().to_list()  # independent count of the data
    assert sorted(bars) == sorted(t.category("end_reason", r) for r in reasons)
    assert disclosure.SYMBOL in bars.values(), "this selection is meant to hold a withheld count"


def _quarters(day) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def test_a_withheld_cohort_rate_is_an_x_and_a_too_young_cohort_is_left_out(
    signed_in, all_trajectories
):
    """Steps within 12 months by quarter of first contact, for a lead of one subregion: a
    quarter whose cohort had 12 months (observable) but a withheld rate is marked x on the
    axis; a quarter too young for 12 months has no point at all."""
    t = Translator("nl")
    at = signed_in("lies", region="LIM-MLI")
    at.switch_page("views/conversion.py").run()
    assert not at.exception
    spec = next(
        json.loads(c.proto.spec) for c in at.get("plotly_chart")
        if json.loads(c.proto.spec)["layout"]["title"]["text"] == t("conversion.cohort_title")
    )  # fmt: skip
    traces = {trace.get("name"): trace for trace in spec["data"]}
    marked = traces.get(t("chart.withheld", symbol=disclosure.SYMBOL))
    assert marked is not None, "a small subregion's cohorts must hold a withheld rate"
    twelve = traces[t.metric("step_rate_12m")]
    mine = all_trajectories.filter(pl.col("region_code") == "LIM-MLI").with_columns(
        quarter=pl.col("reached_on").dt.truncate("1q"),
        observable=pl.col("reached_on").dt.offset_by("12mo") <= pl.col("extract_date"),
    )
    by_quarter = mine.group_by("quarter").agg(pl.col("observable").any())
    too_young = {str(q) for q in by_quarter.filter(~pl.col("observable"))["quarter"]}
    old_enough = {str(q) for q in by_quarter.filter(pl.col("observable"))["quarter"]}
    assert too_young, "the data must have quarters younger than 12 months"
    drawn = {str(x)[:10] for x in twelve["x"]}
    assert drawn == old_enough  # every cohort with a 12-month rate, withheld or not
    # every withheld point of the 12-month line is on the axis as x, at 0
    withheld = [x for x, y in zip(twelve["x"], twelve["y"], strict=True) if y is None]
    assert withheld, "this subregion is meant to hold a withheld 12-month rate"
    assert {str(x)[:10] for x in withheld} <= {str(x)[:10] for x in marked["x"]}
