"""The Employer network page (issue 13) on a warehouse with the Werk-in-zicht, Jumpstart and
OCMW networks, as each role sees it, against an independent count of the generated
placements: figures, the partner breakdown only for those who see partners, filters about the
person named as not applying, an empty selection in words, and no employer key anywhere."""

from __future__ import annotations

import csv
import datetime as dt
import io

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data, downloads
from dashboard.shell.signin import _STATE_KEY
from tests.dashboard.conftest import open_app
from werkpad.rendering.i18n import Translator

PAGE = "views/employers.py"


def _employers(monkeypatch, network, users_file, name: str | None, **params) -> AppTest:
    at = open_app(monkeypatch, network[0], users_file, name, demo=name is None, **params)
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _card(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [m.value for m in at.metric]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_steering_sees_the_network_in_each_language(monkeypatch, network, users_file, lang):
    at = _employers(monkeypatch, network, users_file, None, lang=lang)
    t = Translator(lang)
    frame = network[1]
    assert at.title[0].value == t("nav.employers")
    assert _card(at, t.metric("placements")) == t.count(frame.height)
    assert _card(at, t.metric("employers_active")) == t.count(frame["employer_key"].n_unique())
    ended = frame.filter(pl.col("ended_on").is_not_null())
    hired = ended.filter(pl.col("hired_by_employer").fill_null(False)).height
    assert _card(at, t.metric("hired_same_employer_rate")) == t.rate(hired / ended.height)
    assert len(at.get("plotly_chart")) == 4  # growth, type, sector, economy
    subheaders = [s.value for s in at.subheader]
    assert t("employers.per_partner_code") in subheaders
    assert not any(key in _text(at) for key in frame["employer_key"].unique())


def test_a_period_selects_placements_by_their_start(monkeypatch, network, users_file):
    at = _employers(monkeypatch, network, users_file, None, period="custom",
                    **{"from": "2023-01-01", "to": "2023-06-30"})  # fmt: skip
    t = Translator("nl")
    frame = network[1]
    chosen = frame.filter(pl.col("started_on").is_between(dt.date(2023, 1, 1),
                                                          dt.date(2023, 6, 30)))  # fmt: skip
    assert _card(at, t.metric("placements")) == t.count(chosen.height)
    assert _card(at, t.metric("employers_new")) == t.count(
        chosen.filter(pl.col("employer_key").is_in(
            frame.group_by("employer_key").agg(pl.col("started_on").min())
            .filter(pl.col("started_on") >= dt.date(2023, 1, 1))["employer_key"].implode()
        ))["employer_key"].n_unique()
    )  # fmt: skip
    assert any(m.label == t.metric("repeat_employer_rate") for m in at.metric)


def test_a_funder_sees_no_partner_and_only_published_figures(monkeypatch, network, users_file):
    at = _employers(monkeypatch, network, users_file, "fons")
    t = Translator("nl", missing="x")
    subheaders = [s.value for s in at.subheader]
    assert t("employers.per_project_code") in subheaders
    assert t("employers.per_partner_code") not in subheaders
    shown = _card(at, t.metric("placements"))
    assert shown in (t.count(network[1].height), "x")


def test_an_antwerp_lead_sees_antwerp_only(monkeypatch, network, users_file):
    at = _employers(monkeypatch, network, users_file, "piet")
    t = Translator("nl", missing="x")
    antwerp = network[1].filter(pl.col("province_code") == "ANT")
    assert _card(at, t.metric("placements")) in (t.count(antwerp.height), "x")
    assert t("employers.per_partner_code") in [s.value for s in at.subheader]


def test_a_person_filter_is_named_as_not_applying(monkeypatch, network, users_file):
    at = _employers(monkeypatch, network, users_file, None, gender="F")
    t = Translator("nl")
    assert any(t("filter.gender") in i.value and "{filters}" not in i.value for i in at.info)
    assert _card(at, t.metric("placements")) == t.count(network[1].height)  # all genders


def test_a_selection_without_placements_says_so(monkeypatch, network, users_file):
    at = _employers(monkeypatch, network, users_file, None, project="WGTW-ANT")
    t = Translator("nl")
    assert [i.value for i in at.info] == [t("employers.none")]
    assert not at.metric and not at.get("plotly_chart")


def test_a_lead_without_placements_in_scope_says_so(monkeypatch, network, users_file):
    at = _employers(monkeypatch, network, users_file, "lies")  # Limburg: none there
    assert [i.value for i in at.info] == [Translator("nl")("employers.none")]


def test_data_quality_lists_the_live_placement_snapshots(monkeypatch, network, users_file):
    at = open_app(monkeypatch, network[0], users_file, None, demo=True)
    at.switch_page("views/data_quality.py").run()
    assert not at.exception
    t = Translator("nl")
    assert t("quality.placement_snapshots") in [s.value for s in at.subheader]
    shown = at.dataframe[1].value  # the second table: live placements per project
    rows = dict(zip(shown[t("column.project_code")], shown[t("column.rows")], strict=True))
    truth = network[1].group_by("project_code").len()
    assert rows == {p: t.count(n) for p, n in truth.iter_rows()}


def test_a_funders_downloads_name_the_placement_selection(monkeypatch, network, users_file):
    """The page's files say exactly which placements they hold: the person filter that does
    not apply is not in their caption, a withheld quarter reads as the symbol, and every
    shown quarter is the count of the generated placements."""
    at = _employers(monkeypatch, network, users_file, "fons", gender="F", province="ANT")
    t = Translator("nl", missing="x")
    ctx, ignored = at.session_state[_STATE_KEY].for_placements()
    assert ignored == ["gender"]
    assert t("filter.gender") not in ctx.caption and "Antwerpen" in ctx.caption
    growth = data.network_growth(ctx.version, ctx.key, ctx.threshold)
    rows = list(csv.reader(io.StringIO(downloads.csv_bytes(growth, ctx).decode("utf-8-sig")),
                           delimiter=";"))  # fmt: skip
    assert "Antwerpen" in rows[0][0] and t("filter.gender") not in rows[0][0]
    antwerp = network[1].filter(pl.col("province_code") == "ANT")
    header = rows[1]
    placements = header.index(t.metric("placements"))
    withheld = 0
    for row in rows[2 : 2 + growth.height]:
        quarter = dt.date.fromisoformat(row[0])
        end = (quarter.replace(day=28) + dt.timedelta(days=70)).replace(day=1)
        truth = antwerp.filter(pl.col("started_on").is_between(quarter, end, closed="left"))
        assert row[placements] in (str(truth.height), "x")
        withheld += row[placements] == "x"
    assert growth.height and withheld < growth.height  # something shown, and checked
