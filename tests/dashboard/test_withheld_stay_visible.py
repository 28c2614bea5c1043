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
