"""The overview's targets block shows what `werkpad progress` says, for the selection's
projects only: the share of each target reached, the status in words, the running totals."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import open_app
from werkpad.contract import default_contract
from werkpad.rendering.i18n import Translator


@pytest.fixture
def overview(loaded, monkeypatch):
    def run(**params: str) -> AppTest:
        return open_app(monkeypatch, loaded[0] / "warehouse.duckdb", demo=True, **params)

    return run


def _cli(loaded, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "werkpad.cli", "progress", "--json",
         "--warehouse", str(loaded[0] / "warehouse.duckdb"), *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _chart(at: AppTest, title_part: str) -> dict:
    charts = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    return next(c for c in charts if title_part in c["layout"]["title"]["text"])


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_the_targets_block_agrees_with_the_cli(overview, loaded, lang):
    t = Translator(lang)
    at = overview(province="LIM", lang=lang)
    limburg = [p["project_code"] for p in default_contract().reference_rows("projects")
               if p["province_code"] == "LIM"]  # fmt: skip
    expected = _cli(loaded, *(a for p in limburg for a in ("--project", p)))["targets"]
    assert {r["project_code"] for r in expected} == {"WGTW-LIM", "IPS-REL"}
    chart = _chart(at, t("targets.progress_title", date="")[:12])
    bars = chart["data"][0]
    labels = [f"{r['project_code']} · {t.metric(r['metric'])}" for r in expected]
    assert bars["y"] == labels  # only Limburg's projects' targets, programmes alike
    # a rate with nobody to take it of (no data for IPS-REL here) has no bar: 0
    assert bars["x"] == pytest.approx([r["achievement"] or 0 for r in expected])
    notes = chart["layout"]["yaxis"]["ticktext"]  # each target's figures under its name
    for row, note in zip(expected, notes, strict=True):
        if row["status"]:
            assert note.endswith(t(f"targets.status.{row['status']}"))  # the status in words


def test_the_running_total_ends_at_the_actual(overview, loaded):
    t = Translator("nl")
    at = overview(project="WGTW-ANT")
    expected = {r["metric"]: r for r in _cli(loaded, "--project", "WGTW-ANT")["targets"]}
    chart = _chart(at, t("targets.cumulative_title"))
    solid = [trace for trace in chart["data"] if trace.get("line", {}).get("dash") != "dash"]
    reached = next(s for s in solid if s["name"].endswith(t.metric("reached")))
    assert reached["y"][-1] == expected["reached"]["actual"]
    dashed = next(d for d in chart["data"] if d.get("legendgroup") == reached["name"]
                  and d["line"].get("dash") == "dash")  # fmt: skip
    assert dashed["y"][-1] == pytest.approx(expected["reached"]["expected"])


def test_a_site_without_targets_says_so(fresh_copy, monkeypatch):
    con = duckdb.connect(str(fresh_copy))
    con.execute("DELETE FROM raw.ref_targets")
    con.close()
    at = open_app(monkeypatch, fresh_copy, demo=True)
    assert Translator("nl")("targets.none") in [el.value for el in at.info]
    titles = [json.loads(el.proto.spec)["layout"]["title"]["text"] for el in at.get("plotly_chart")]
    assert not any(Translator("nl")("targets.cumulative_title") in title for title in titles)
