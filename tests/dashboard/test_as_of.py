"""The dashboard as of a date: `?asof=` in a link, the picker, a banner, and file names.

The oracle is the frames the extracts were written from (tests/conftest.py `history`),
counted by polars: as of 30 June the overview shows the June extracts, though July's and a
corrected July export were loaded after them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.shell.signin import _STATE_KEY
from tests.conftest import JUNE, truth_of
from tests.dashboard.conftest import open_app


@pytest.fixture
def app(history, monkeypatch):
    def run(**params) -> AppTest:
        return open_app(monkeypatch, history[0] / "warehouse.duckdb", demo=True, **params)

    return run


def _reached(at: AppTest) -> int:
    metric = next(m for m in at.metric if m.label.startswith("Bereikt"))
    return int(metric.value.replace(".", ""))


def _asof(at: AppTest):
    return next(s for s in at.selectbox if s.key == "asof")


def test_a_link_as_of_a_date_shows_that_days_figures_with_a_banner(app, history):
    _, june, july, corrected = history
    today = app()
    assert _reached(today) == truth_of([corrected, july["WGTW-LIM"]])["reached"]
    assert not [w for w in today.warning if "zoals ze waren" in w.value]
    past = app(asof=JUNE.isoformat())
    assert _reached(past) == truth_of(list(june.values()))["reached"]
    assert [w for w in past.warning if "30/06/2023" in w.value]
    assert _asof(past).value == JUNE
    shown = past.session_state[_STATE_KEY]  # what every download's name and caption say
    assert shown.slug.endswith("_asof-20230630") and "30/06/2023" in shown.caption
    assert shown.data_date == JUNE
    # every download's notes name the extract each project is read from, the vintage's
    assert shown.lineage == "Extractdatum per project: 30/06/2023: WGTW-ANT, WGTW-LIM."
    now = today.session_state[_STATE_KEY].lineage
    assert now == "Extractdatum per project: 31/07/2023: WGTW-ANT, WGTW-LIM."
    assert past.query_params["asof"] == JUNE.isoformat()


def test_the_picker_offers_every_extract_date_and_today(app, history):
    at = app()
    picker = _asof(at)
    assert picker.options == ["Vandaag (huidige gegevens)", "31/07/2023", "30/06/2023"]
    # today's data is the option None, which the browser shows as the placeholder: it said
    # "Choose an option" in English (found in review)
    assert picker.proto.placeholder == "Vandaag (huidige gegevens)"
    picker.select(JUNE).run()
    assert at.query_params["asof"] == JUNE.isoformat()
    assert _reached(at) == truth_of(list(history[1].values()))["reached"]
    _asof(at).select(None).run()
    assert "asof" not in at.query_params


@pytest.mark.parametrize("bad", ["2023-06-29", "not-a-date", "2023-02-30"])
def test_a_date_before_the_first_extract_or_no_date_is_refused_by_name(app, history, bad):
    _, _, july, corrected = history
    at = app(asof=bad)
    assert _reached(at) == truth_of([corrected, july["WGTW-LIM"]])["reached"]
    assert [w for w in at.warning if "Gegevens op" in w.value]
    assert bad not in " ".join(w.value for w in at.warning)  # never echoed


def test_a_date_between_extracts_reads_the_newest_before_it(app, history):
    at = app(asof="2023-07-15")
    assert _reached(at) == truth_of(list(history[1].values()))["reached"]
    assert _asof(at).value.isoformat() == "2023-07-15"
    assert at.query_params["asof"] == "2023-07-15"  # the link keeps what was asked


def test_a_warehouse_from_before_history_still_serves_today(history, tmp_path, monkeypatch):
    """Upgraded code, last night's warehouse: no history yet, the pages work, no picker."""
    import shutil

    import duckdb

    old = tmp_path / "old.duckdb"
    shutil.copyfile(history[0] / "warehouse.duckdb", old)
    con = duckdb.connect(str(old))
    for table in ("ops.snapshot_history", "raw.trajectory_versions", "ops.submissions"):
        con.execute(f"DROP TABLE {table}")
    con.close()
    at = open_app(monkeypatch, old, demo=True, asof=JUNE.isoformat())
    assert not [s for s in at.selectbox if s.key == "asof"]
    _, _, july, corrected = history
    assert _reached(at) == truth_of([corrected, july["WGTW-LIM"]])["reached"]
    at.switch_page("views/revisions.py").run()
    assert not at.exception, [e.message for e in at.exception]


def test_a_lead_is_offered_her_projects_extract_dates_only(
    history, tmp_path, monkeypatch, users_file
):
    """Antwerp delivers once more, on 15 August. A Limburg lead's "data as of" picker and
    her revision triangle listed that date too, telling her when a project outside her
    scope delivered (found in review); steering is offered it."""
    import shutil

    from pipelines.load import run_load
    from tests.conftest import later_extract, write_csv

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(history[0] / "warehouse.duckdb", warehouse)
    august = later_extract(history[3], dt.date(2023, 8, 15), 50, offset=3)
    write_csv(august, tmp_path / "night4")
    run_load(tmp_path / "night4", warehouse, tmp_path / "q")
    steering = open_app(monkeypatch, warehouse, demo=True)
    assert "15/08/2023" in _asof(steering).options
    lead = open_app(monkeypatch, warehouse, users_file, "lies")
    assert _asof(lead).options == ["Vandaag (huidige gegevens)", "31/07/2023", "30/06/2023"]
    with monkeypatch.context() as m:  # the triangle's extract months, through the page's data
        m.setenv("WERKPAD_WAREHOUSE", str(warehouse))
        from dashboard import data

        version = data.version()
        lim = data.triangle(version, data.freeze({"scope_province": ["LIM"]}), "reached", 5)
        both = data.triangle(version, data.freeze({}), "reached", None)
    assert "2023-08-01" in both.columns and "2023-08-01" not in lim.columns


def test_revisions_say_the_vintage_does_not_apply_to_them(app, history):
    """/revisions?asof= showed "you are looking at the data as they were on 30/06" above a
    comparison with today's data (found in review). The page says the choice does not apply,
    and its downloads are named and captioned for today."""
    at = app(asof=JUNE.isoformat())
    assert [w for w in at.warning if "zoals ze waren" in w.value]  # on the overview
    at.switch_page("views/revisions.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert not [w for w in at.warning if "zoals ze waren" in w.value]
    assert [i for i in at.info if "geldt hier niet" in i.value]
    from dashboard.shell import Context

    today = at.session_state[_STATE_KEY].for_today()
    assert isinstance(today, Context) and today.as_of is None
    assert "asof" not in today.slug and "zoals op" not in today.caption
    assert today.lineage == "Extractdatum per project: 31/07/2023: WGTW-ANT, WGTW-LIM."
