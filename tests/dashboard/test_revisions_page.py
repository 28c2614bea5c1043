"""The Revisions page: submissions in the user's scope, every figure submitted and now.

The submissions are made with the real CLI on the history warehouse (tests/conftest.py);
the figures are checked against polars counts of the extracts' frames.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import APP as APP_FILE
from tests.conftest import JUNE, truth_of
from tests.dashboard.conftest import open_app
from werkpad import submissions as werkpad_submissions
from werkpad.cli import main
from werkpad.warehouse import connect_read_only

APP = str(APP_FILE)


@pytest.fixture(scope="module")
def submitted(history, tmp_path_factory):
    """Two submissions as of June: Limburg only, and the whole site."""
    root = tmp_path_factory.mktemp("revisions")
    warehouse = root / "warehouse.duckdb"
    shutil.copyfile(history[0] / "warehouse.duckdb", warehouse)
    for name, extra in (("lim", ["--project", "WGTW-LIM"]), ("all", [])):
        code = main(
            ["submit", "--warehouse", str(warehouse), "--report", "esf", "--period-from",
             "2021-01-01", "--period-to", "2023-12-31", "--as-of", JUNE.isoformat(),
             "--by", f"secretariaat-{name}", "--out", str(root / f"{name}.zip"), *extra]
        )  # fmt: skip
        assert code == 0
    return warehouse


def _open(warehouse, monkeypatch, users_file, name=None, **params) -> AppTest:
    """The Revisions page, as `name` or (none) as the demo's steering user."""
    at = open_app(monkeypatch, warehouse, users_file, name, demo=name is None, **params)
    at.switch_page("views/revisions.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _figure(at: AppTest, metric_label: str):
    tables = [d.value for d in at.dataframe if d.value.columns[0] == "Onderdeel"]
    table = max(tables, key=len)  # every figure of the pack (the changed ones are fewer)
    row = table[table.iloc[:, 2] == metric_label].iloc[0]
    return row.iloc[3], row.iloc[4], row.iloc[5]


def _belgian(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _choose(at: AppTest, by: str) -> None:
    picker = at.selectbox(key="submission")
    picker.select_index(next(i for i, label in enumerate(picker.options) if by in label)).run()


def test_steering_sees_every_submission_and_its_figures(
    submitted, monkeypatch, users_file, history
):
    _, june, july, corrected = history
    at = _open(submitted, monkeypatch, users_file)
    assert len(at.selectbox(key="submission").options) == 2
    _choose(at, "secretariaat-all")
    then, now = truth_of(list(june.values())), truth_of([corrected, july["WGTW-LIM"]])
    change = now["reached"] - then["reached"]
    assert _figure(at, "Bereikte personen") == (
        _belgian(then["reached"]),
        _belgian(now["reached"]),
        ("+" if change > 0 else "−") + _belgian(abs(change)),
    )
    _choose(at, "secretariaat-lim")  # not the newest: a link must open it all the same
    lim = at.selectbox(key="submission").value
    assert at.query_params["submission"] == lim
    linked = _open(submitted, monkeypatch, users_file, submission=lim)
    assert linked.selectbox(key="submission").value == lim


def _belgian(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def test_a_project_lead_sees_only_submissions_in_her_scope(submitted, monkeypatch, users_file):
    at = _open(submitted, monkeypatch, users_file, "lies")
    picker = at.selectbox(key="submission")
    assert [o for o in picker.options if "secretariaat" in o] == [
        o for o in picker.options if "secretariaat-lim" in o
    ]
    assert len(picker.options) == 1
    # the vintage names the submission's projects only, not the site's (found in review)
    vintage = [c.value for c in at.caption if "WGTW-LIM: 30/06/2023" in c.value]
    assert vintage and "WGTW-ANT" not in vintage[0]
    assert "WGTW-LIM: 30/06/2023 → 31/07/2023" in vintage[0]  # then and now


def test_funders_have_no_revisions_page(submitted, monkeypatch, users_file):
    at = open_app(monkeypatch, submitted, users_file, "fons")
    assert "revisions" not in at.session_state["_werkpad_context"].pages


@pytest.fixture
def fresh(history, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(history[0] / "warehouse.duckdb", warehouse)
    return warehouse


def _overview(warehouse, monkeypatch, users_file, name=None, **params) -> AppTest:
    at = _open(warehouse, monkeypatch, users_file, name, **params)
    at.switch_page("views/overview.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_a_lead_submits_the_pack_she_sees_and_finds_it_under_revisions(
    fresh, monkeypatch, users_file, history
):
    at = _overview(fresh, monkeypatch, users_file, "lies", asof=JUNE.isoformat())
    at.button(key="submit-pack").click().run()
    assert not at.exception, [e.message for e in at.exception]
    done = [s.value for s in at.success if "SHA-256" in s.value]
    assert done, "no confirmation"
    code = main(["submissions", "list", "--warehouse", str(fresh), "--json"])
    assert code == 0
    revisions = _open(fresh, monkeypatch, users_file, "lies")
    assert len(revisions.selectbox(key="submission").options) == 1
    lim = truth_of([history[1]["WGTW-LIM"]])["reached"]  # her scope, as of June
    assert _figure(revisions, "Bereikte personen")[0] == _belgian(lim)


def test_funders_cannot_submit(fresh, monkeypatch, users_file):
    at = open_app(monkeypatch, fresh, users_file, "fons")
    assert at.metric  # signed in, on the overview
    assert not [b for b in at.button if b.key == "submit-pack"]


def test_the_revision_triangle_tells_each_quarter_as_each_extract_month_did(
    submitted, monkeypatch, users_file, history
):
    import polars as pl

    _, june, july, corrected = history
    at = _open(submitted, monkeypatch, users_file)
    _choose(at, "secretariaat-all")
    table = at.dataframe[-1].value  # the triangle: quarter, then one column per extract month
    assert list(table.columns)[1:] == ["jun 2023", "jul 2023"]

    def per_quarter(frames) -> dict[str, str]:
        frame = pl.concat(frames).with_columns(
            q=pl.format("{} Q{}", pl.col("reached_on").dt.year(), pl.col("reached_on").dt.quarter())
        )
        return {q: _belgian(n) for q, n in frame.group_by("q").len().iter_rows()}

    then, now = per_quarter(list(june.values())), per_quarter([corrected, july["WGTW-LIM"]])
    for row in table.itertuples(index=False):
        assert row[1] == then.get(row[0], "0") and row[2] == now.get(row[0], "0"), row
    assert any(then[q] != now[q] for q in then)  # the corrections show along a row


def test_a_month_with_nobody_in_the_selection_keeps_the_triangle(monkeypatch):
    """One extract month whose selection is empty gave an untyped frame, and the join of the
    months raised a SchemaError on the Revisions page (found in review)."""
    import polars as pl

    from dashboard import data

    dates = pl.DataFrame(
        {"project_code": ["P", "P"], "extract_date": [dt.date(2023, 6, 30), dt.date(2023, 5, 31)]}
    )
    projects = pl.DataFrame(
        {"project_code": ["P"], "programme_code": ["X"], "province_code": ["Y"]}
    )
    tables = {"extract_dates": dates, "projects": projects}
    told = {
        "2023-05-31": pl.DataFrame(schema={"reached_quarter": pl.Null, "reached": pl.Null}),
        "2023-06-30": pl.DataFrame({"reached_quarter": [dt.date(2023, 4, 1)], "reached": [7]}),
    }
    monkeypatch.setattr(data, "table", lambda version, name: tables[name])
    monkeypatch.setattr(data, "grouped", lambda version, *args: told[version[2]])
    frame = data.triangle.__wrapped__((1, 1, None), (), "reached", None)
    assert frame.columns == ["reached_quarter", "2023-05-01", "2023-06-01"]
    assert frame.row(0) == (dt.date(2023, 4, 1), None, 7)


def test_a_withdrawal_reason_is_text_not_markdown(submitted, monkeypatch, users_file, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    shutil.copyfile(submitted, warehouse)
    con = connect_read_only(warehouse)
    chosen = werkpad_submissions.submissions(con)[0]["submission_id"]
    con.close()
    reason = "[klik](http://evil.example/) ![t](http://127.0.0.1:9/b.png)"
    code = main(["submissions", "withdraw", chosen, "--warehouse", str(warehouse), "--by", "An",
                 "--reason", reason])  # fmt: skip
    assert code == 0
    at = _open(warehouse, monkeypatch, users_file, submission=chosen)
    notice = next(w.value for w in at.warning if "klik" in w.value)
    assert "\\[klik\\]" in notice


def test_the_page_offers_the_submitted_pack_and_names_each_submission(
    submitted, monkeypatch, users_file
):
    at = _open(submitted, monkeypatch, users_file)
    labels = [b.label for b in at.get("download_button")]
    assert "Ingediend pakket downloaden (ZIP, zoals ingediend)" in labels
    options = at.selectbox(key="submission").options  # as shown: two of one day told apart
    assert len(options) == 2 and all(re.search(r"· \d{8}-\d{6}-[0-9a-f]+$", o) for o in options)


def test_a_submission_of_no_project_is_no_leads():
    """One that covers no project was listed for every project lead (found in review)."""
    provinces = {"WGTW-LIM": "LIM", "WGTW-ANT": "ANT"}
    record = {"selection": json.dumps({"project": ["NOPE"]})}
    assert not werkpad_submissions.in_scope(record, provinces, ("WGTW-LIM",))
    record = {"selection": json.dumps({"project": ["WGTW-LIM"]})}
    assert werkpad_submissions.in_scope(record, provinces, ("WGTW-LIM",))
    assert not werkpad_submissions.in_scope(record, provinces, ("WGTW-ANT",))


def test_a_pack_changed_after_submission_is_never_handed_out(
    submitted, monkeypatch, users_file, tmp_path, capsys
):
    """One byte appended to a kept pack: the export printed the stored hash beside other
    bytes (found in review). The CLI refuses to export it, and the page offers no download
    but says why."""
    import duckdb

    warehouse = tmp_path / "w.duckdb"
    shutil.copyfile(submitted, warehouse)
    con = duckdb.connect(str(warehouse))
    chosen = con.execute("SELECT min(submission_id) FROM ops.submissions").fetchone()[0]
    con.execute(
        "UPDATE ops.submissions SET pack = pack || '\\x00'::BLOB WHERE submission_id = $id",
        {"id": chosen},
    )
    con.close()
    out = tmp_path / "out.zip"
    code = main(["submissions", "export", chosen, "--warehouse", str(warehouse), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "no longer matches its SHA-256" in err and not out.exists()
    assert main(["revisions", "--warehouse", str(warehouse), "--submission", chosen]) == 0
    assert "no longer matches its SHA-256" in capsys.readouterr().err  # said there too
    at = _open(warehouse, monkeypatch, users_file, submission=chosen)
    assert "Ingediend pakket downloaden (ZIP, zoals ingediend)" not in [
        b.label for b in at.get("download_button")
    ]
    assert [e for e in at.error if "SHA-256" in e.value]
