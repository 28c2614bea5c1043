"""Each page under AppTest: no exception, and the figures it shows equal independent counts.

The independent counts are made with polars on the generator's typed frames (the `loaded`
warehouse holds exactly those), for a filter: Limburg and first contact in 2022.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import open_app
from werkpad.contract import default_contract

FILTER = {"province": "LIM", "period": "custom", "from": "2022-01-01", "to": "2022-12-31"}


@pytest.fixture
def app(loaded, monkeypatch):
    """The demo's steering view (roles and login: tests/dashboard/test_access.py)."""

    def run(page: str | None = None, **params) -> AppTest:
        at = open_app(monkeypatch, loaded[0] / "warehouse.duckdb", demo=True, **params)
        if page:
            at.switch_page(f"views/{page}.py").run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return run


@pytest.fixture(scope="module")
def selection(all_trajectories) -> pl.DataFrame:
    """The trajectories the FILTER selects, counted independently of the warehouse."""
    provinces = {
        r["region_code"]: r["province_code"] for r in default_contract().reference_rows("regions")
    }
    return all_trajectories.filter(
        pl.col("region_code").replace_strict(provinces) == "LIM",
        pl.col("reached_on").is_between(dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
    )


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def _chart(at: AppTest, title_part: str) -> dict:
    return next(c for c in _charts(at) if title_part in c["layout"]["title"]["text"])


def _label(kind: str, code: str) -> str:
    from werkpad.rendering.i18n import Translator

    return Translator("nl").category(kind, code)


def _int(text: str) -> int:
    return int(text.replace(".", "").replace(",", "").replace("\u202f", ""))


def test_overview_headline_equals_independent_counts(app, selection):
    at = app(**FILTER)
    shown = {m.label: m.value for m in at.metric}
    assert _int(shown["Bereikte personen"]) == selection.height
    stepped = (selection["decision"] == "step_to_work").sum()
    decided = selection["decision"].is_not_null().sum()
    assert _int(shown["Stappen naar werk"]) == stepped
    assert shown["Stapratio"] == f"{100 * stepped / decided:.1f} %".replace(".", ",")
    funnel = _chart(at, "Van eerste contact")["data"][0]["x"]
    assert funnel[0] == selection.height and funnel[-1] == selection["job_started_on"].count()


def test_reach_by_region_equals_independent_counts(app, selection):
    at = app("reach", **FILTER)
    chart = _chart(at, "subregio")["data"][0]
    want = dict(selection.group_by("region_code").len().iter_rows())
    names = {r["region_code"]: r["name"] for r in default_contract().reference_rows("regions")}
    assert dict(zip(chart["y"], chart["x"], strict=True)) == {names[k]: v for k, v in want.items()}


def test_conversion_rates_with_intervals(app, selection):
    at = app("conversion", **FILTER)
    shares = at.dataframe[0].value.set_index("Groep")
    decided = selection["decision"].is_not_null().sum()
    stepped = (selection["decision"] == "step_to_work").sum()
    assert shares.loc["Stappen naar werk", "van vorige stap"] == (
        f"{100 * stepped / decided:.1f} %".replace(".", ",")
    )
    assert shares.loc["Stappen naar werk", "van bereikt"] == (
        f"{100 * stepped / selection.height:.1f} %".replace(".", ",")
    )
    plot = _chart(at, "funnel plot")["data"]
    points, limits = plot[-1], plot[:-1]
    rate = stepped / decided
    assert points["x"] == [decided] and points["y"] == [pytest.approx(rate)]
    assert points["customdata"] == ["WGTW-LIM"]  # what a click filters to
    assert len(limits) == 4  # 95% and 99.8%, above and below the overall rate
    league = at.dataframe[1].value
    row = league.iloc[0]
    assert row["Weloverwogen beslissingen"] == decided
    assert row["Stapratio"] == pytest.approx(rate)
    assert row["Ondergrens 95%"] < row["Stapratio"] < row["Bovengrens 95%"]


def test_conversion_grouping_comes_from_the_link(app, selection):
    at = app("conversion", by="region_code", **FILTER)
    points = _chart(at, "funnel plot")["data"][-1]
    decided = selection.filter(pl.col("decision").is_not_null())
    assert sorted(points["customdata"]) == sorted(decided["region_code"].unique().to_list())
    assert at.query_params["by"] in ("region_code", ["region_code"])


def test_referral_volume_equals_independent_counts(app, selection):
    at = app("referral", **FILTER)
    chart = _chart(at, "toeleider")["data"][0]
    want = dict(selection.group_by("referral_source").len().iter_rows())
    assert sum(chart["x"]) == selection.height and sorted(chart["x"]) == sorted(want.values())
    sankey = next(c for c in _charts(at) if c["data"][0]["type"] == "sankey")["data"][0]
    assert sum(sankey["link"]["value"]) == 2 * selection.height  # two stages, nothing lost
    sources = {}
    for src, value in zip(sankey["link"]["source"], sankey["link"]["value"], strict=True):
        sources[sankey["node"]["label"][src]] = sources.get(sankey["node"]["label"][src], 0) + value
    want_sources = {
        _label("referral_source", k): v
        for k, v in selection.group_by("referral_source").len().iter_rows()
    }
    assert {k: v for k, v in sources.items() if k in want_sources} == want_sources


def test_outcomes_step_types_equal_independent_counts(app, selection):
    at = app("outcomes", **FILTER)
    chart = _chart(at, "soort")["data"][0]
    want = selection.filter(pl.col("step_type").is_not_null()).group_by("step_type").len()
    assert sorted(chart["x"]) == sorted(want["len"].to_list())


def test_data_quality_lists_snapshots_and_refusals(app, loaded):
    at = app("data_quality")
    snapshots = at.dataframe[0].value
    assert sorted(snapshots["Project"]) == [
        "WGTW-ANT",
        "WGTW-LIM",
        "WGTW-OVL",
        "WGTW-VBR",
        "WGTW-WVL",
    ]
    assert len(at.expander) == min(20, len(loaded[1].refused))


def test_query_parameters_round_trip(app):
    at = app(**FILTER, lang="fr")
    assert at.multiselect(key="province").value == ["LIM"]
    assert at.selectbox(key="period").value == "custom"
    assert at.date_input(key="from").value == dt.date(2022, 1, 1)
    at.multiselect(key="province").select("ANT").run()
    assert sorted(at.query_params["province"]) == ["ANT", "LIM"]
    assert at.query_params["lang"] in ("fr", ["fr"])
    at.selectbox(key="period").select("whole").run()
    assert "from" not in at.query_params and "period" not in at.query_params


def test_invalid_parameter_falls_back_with_a_notice(app, selection):
    at = app(province="NOPE", lang="en")
    assert any("Invalid value in the link for: Province" in w.value for w in at.warning)
    assert "NOPE" not in " ".join(w.value for w in at.warning)
    assert at.multiselect(key="province").value == []


def test_language_switch(app):
    at = app()
    assert at.title[0].value == "Overzicht"
    at.segmented_control(key="lang").set_value("fr").run()
    assert at.title[0].value == "Aperçu"
    assert at.query_params["lang"] in ("fr", ["fr"])
    at = app(lang="fr")
    assert at.title[0].value == "Aperçu"
    assert any(m.label == "Personnes atteintes" for m in at.metric)
    at = app(lang="en")
    assert at.title[0].value == "Overview"


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
@pytest.mark.parametrize(
    "page", [None, "reach", "conversion", "referral", "outcomes", "data_quality"]
)
def test_every_page_in_every_language(app, page, lang):
    at = app(page, lang=lang, **FILTER)
    assert at.title[0].value  # app() already asserted no exception


def _card(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def test_a_change_names_its_comparison_and_compares_like_with_like(app, all_trajectories):
    """Q3 2022 against Q2 2022 in Limburg: only first contacts are compared (events in each
    period); a later step of a recent cohort would shrink by construction."""
    limburg = all_trajectories.filter(pl.col("project_code") == "WGTW-LIM")
    q3 = limburg.filter(pl.col("reached_on").is_between(dt.date(2022, 7, 1), dt.date(2022, 9, 30)))
    q2 = limburg.filter(pl.col("reached_on").is_between(dt.date(2022, 4, 1), dt.date(2022, 6, 30)))
    at = app(province="LIM", period="custom", **{"from": "2022-07-01", "to": "2022-09-30"})
    reached = _card(at, "Bereikte personen")
    sign = "+" if q3.height > q2.height else ""
    assert reached.delta == f"{sign}{q3.height - q2.height} t.o.v. 01/04/2022–30/06/2022"
    assert _card(at, "Weloverwogen beslissingen").delta in (None, "")
    assert _card(at, "Stapratio").delta in (None, "")
    assert any("t.o.v. 01/04/2022–30/06/2022" in c.value for c in at.caption)
    trend = _chart(at, "per maand")["data"]
    assert any(d.get("line", {}).get("dash") == "dot" for d in trend)  # the comparison, faint


def test_same_period_last_year_and_none_before_the_data(app, all_trajectories):
    limburg = all_trajectories.filter(pl.col("project_code") == "WGTW-LIM")
    at = app(province="LIM", period="custom", compare="last_year",
             **{"from": "2022-07-01", "to": "2022-09-30"})  # fmt: skip
    last_year = limburg.filter(
        pl.col("reached_on").is_between(dt.date(2021, 7, 1), dt.date(2021, 9, 30))
    )
    now = limburg.filter(pl.col("reached_on").is_between(dt.date(2022, 7, 1), dt.date(2022, 9, 30)))
    sign = "+" if now.height > last_year.height else ""
    assert _card(at, "Bereikte personen").delta == (
        f"{sign}{now.height - last_year.height} t.o.v. 01/07/2021–30/09/2021"
    )
    first = all_trajectories["reached_on"].min()
    early = app(province="LIM", period="custom", compare="last_year",
                **{"from": str(first), "to": str(first + dt.timedelta(days=90))})  # fmt: skip
    assert all(m.delta in (None, "") for m in early.metric)
    assert any("vóór het begin van de gegevens" in c.value for c in early.caption)


def test_comparison_periods():
    from dashboard.shell.filters import comparison_bounds

    d = dt.date
    first = d(2021, 1, 1)
    assert comparison_bounds("previous", d(2022, 7, 1), d(2022, 9, 30), first) == (
        d(2022, 4, 1), d(2022, 6, 30))  # fmt: skip
    assert comparison_bounds("previous", d(2023, 1, 1), d(2023, 12, 31), first) == (
        d(2022, 1, 1), d(2022, 12, 31))  # fmt: skip
    assert comparison_bounds("previous", d(2022, 3, 10), d(2022, 3, 19), first) == (
        d(2022, 2, 28), d(2022, 3, 9))  # fmt: skip
    assert comparison_bounds("last_year", d(2024, 2, 29), d(2024, 3, 31), first) == (
        d(2023, 2, 28), d(2023, 3, 31))  # fmt: skip
    assert comparison_bounds("previous", d(2021, 1, 1), d(2021, 3, 31), first) is None


def test_a_period_outside_the_data_is_clamped_with_a_notice(app, all_trajectories):
    first = all_trajectories["reached_on"].min()
    at = app(period="custom", **{"from": "2015-01-01", "to": "2022-12-31"})
    assert at.date_input[0].value == first
    assert any("buiten de gegevens" in i.value for i in at.sidebar.info)


def test_the_data_quality_page_reads_as_words(app, loaded):
    at = app("data_quality")
    headers = [c for frame in at.dataframe for c in frame.value.columns]
    assert {"Bestand", "Status", "Redenen", "Project"} <= set(headers)
    cells = [str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel()]
    assert "None" not in cells and "nan" not in cells
    assert "Geweigerd" in cells and "refused" not in cells
    on_screen = " ".join(str(e.value) for e in [*at.caption, *at.markdown, *at.text, *at.code])
    assert str(loaded[0]) not in on_screen and "/quarantine/" not in on_screen


def test_a_link_with_odd_but_meaningful_values_shows_what_it_means(app):
    """From the review: a value given twice is chosen once; a custom period whose dates are
    reversed is shown as the period it means; an unknown grouping says so."""
    at = app(
        age_group=["55+", "55+"], period="custom", **{"from": "2023-06-30", "to": "2022-01-01"}
    )
    assert at.multiselect(key="age_group").value == ["55+"]
    assert at.date_input(key="from").value == dt.date(2022, 1, 1)
    assert at.date_input(key="to").value == dt.date(2023, 6, 30)
    grouped = app("conversion", by="<script>", lang="en")
    assert any("Invalid value in the link" in w.value for w in grouped.warning)
    assert "<script>" not in " ".join(w.value for w in grouped.warning)
    assert grouped.query_params["by"] in ("project_code", ["project_code"])


def test_the_programme_filter_narrows_projects_and_figures(app, all_trajectories):
    """Every demo project is We Go To Work: the programme chosen in the link keeps all of
    them and every person; the filter sits in the URL with the others."""
    at = app(programme="WGTW")
    assert at.multiselect(key="programme").value == ["WGTW"]
    assert at.multiselect(key="project").options == [
        "We Go To Work Antwerpen", "We Go To Work Limburg", "We Go To Work Oost-Vlaanderen",
        "We Go To Work Vlaams-Brabant", "We Go To Work West-Vlaanderen",
    ]  # fmt: skip
    assert _int(at.metric[0].value) == all_trajectories.height
    assert at.query_params["programme"] in ("WGTW", ["WGTW"])
