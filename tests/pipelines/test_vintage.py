"""History and vintages: every accepted snapshot is kept as row versions, and the data as of
any date is what the extracts of that date said.

The oracle is the frames the extracts were written from, counted by polars: as of a date,
the metrics equal the counts of the frames that were live then, whatever came later.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import duckdb
import polars as pl
import pytest

from pipelines.load import run_load
from pipelines.vintage import NoDataYet, use_vintage
from sample_data.generator import generate
from tests.conftest import JULY, JUNE, truth_of, write_csv
from werkpad import metrics
from werkpad.cli import main
from werkpad.contract import default_contract
from werkpad.figures import reference_names
from werkpad.site import demo_site
from werkpad.warehouse import connect_read_only


def _figures(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    row = metrics.compute(con, {})[0]
    women = metrics.compute(con, {"gender": ["F"]})[0]["reached"]
    return {k: row[k] for k in ("reached", "decided", "stepped", "job_started")} | {"women": women}


def test_as_of_a_date_the_figures_are_those_of_the_extracts_live_then(history):
    root, june, july, corrected = history
    con = connect_read_only(root / "warehouse.duckdb")
    try:
        assert _figures(con) == truth_of([corrected, july["WGTW-LIM"]])
        use_vintage(con, JUNE)
        assert _figures(con) == truth_of(list(june.values()))
        use_vintage(con, JULY + dt.timedelta(days=10))
        assert _figures(con) == truth_of([corrected, july["WGTW-LIM"]])
    finally:
        con.close()
    old = connect_read_only(root / "before_correction.duckdb")
    try:
        use_vintage(old, JULY)
        assert _figures(old) == truth_of(list(july.values()))
    finally:
        old.close()


def test_a_vintage_carries_its_own_extract_dates(history):
    root, *_ = history
    con = connect_read_only(root / "warehouse.duckdb")
    try:
        use_vintage(con, dt.date(2023, 7, 15))
        dates = con.sql(
            "SELECT DISTINCT project_code, extract_date FROM marts.fct_trajectories ORDER BY 1"
        ).fetchall()
        assert dates == [("WGTW-ANT", JUNE), ("WGTW-LIM", JUNE)]
    finally:
        con.close()


def test_history_keeps_changes_not_copies(history):
    root, june, july, corrected = history
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        snapshots = con.sql(
            "SELECT project_code, extract_date FROM ops.snapshot_history ORDER BY snapshot_id"
        ).fetchall()
        versions = dict(
            con.sql(
                "SELECT project_code, count(*) FROM raw.trajectory_versions GROUP BY 1"
            ).fetchall()
        )
        open_versions = dict(
            con.sql(
                "SELECT project_code, count(*) FROM raw.trajectory_versions "
                "WHERE _valid_to IS NULL GROUP BY 1"
            ).fetchall()
        )
    finally:
        con.close()
    # the corrected export of the same date stays in the history beside the first one
    assert snapshots == [
        ("WGTW-ANT", JUNE), ("WGTW-LIM", JUNE), ("WGTW-ANT", JULY), ("WGTW-LIM", JULY),
        ("WGTW-ANT", JULY),
    ]  # fmt: skip
    # an unchanged snapshot adds no row version
    assert versions["WGTW-LIM"] == june["WGTW-LIM"].height == open_versions["WGTW-LIM"]
    # a changed one adds a version per changed row only
    ant = june["WGTW-ANT"].join(july["WGTW-ANT"], on="trajectory_id", suffix="_july")
    changed_july = ant.filter(pl.col("gender") != pl.col("gender_july")).height
    again = july["WGTW-ANT"].join(corrected, on="trajectory_id", suffix="_corr")
    changed_corr = again.filter(pl.col("gender") != pl.col("gender_corr")).height
    assert changed_july and changed_corr
    assert versions["WGTW-ANT"] == june["WGTW-ANT"].height + changed_july + changed_corr
    assert open_versions["WGTW-ANT"] == corrected.height


def test_before_the_first_extract_there_is_no_data(history, capsys):
    root, *_ = history
    con = connect_read_only(root / "warehouse.duckdb")
    try:
        with pytest.raises(NoDataYet):
            use_vintage(con, JUNE - dt.timedelta(days=1))
        assert _figures(con)["reached"] > 0  # the connection reads the current data again
    finally:
        con.close()
    code = main(["metrics", "--warehouse", str(root / "warehouse.duckdb"), "--as-of", "2023-06-29"])
    assert code == 2
    assert "no accepted extract on or before 2023-06-29" in capsys.readouterr().err


def test_the_cli_reads_a_vintage(history, capsys):
    root, june, *_ = history
    code = main(
        ["metrics", "--warehouse", str(root / "warehouse.duckdb"), "--as-of", "2023-07-01",
         "--json"]
    )  # fmt: skip
    assert code == 0
    shown = json.loads(capsys.readouterr().out)
    truth = truth_of(list(june.values()))
    assert {k: shown[k] for k in ("reached", "decided", "stepped", "job_started")} == {
        k: truth[k] for k in ("reached", "decided", "stepped", "job_started")
    }
    # the figures say which vintage they are: each selected project's extract date
    assert shown["vintage"] == {
        "as_of": "2023-07-01",
        "extract_dates": {p: JUNE.isoformat() for p in june},
    }
    main(["metrics", "--warehouse", str(root / "warehouse.duckdb"), "--project", "WGTW-LIM",
          "--json"])  # fmt: skip
    today = json.loads(capsys.readouterr().out)["vintage"]
    assert today == {"as_of": None, "extract_dates": {"WGTW-LIM": "2023-07-31"}}
    main(["metrics", "--warehouse", str(root / "warehouse.duckdb"), "--as-of", "2023-07-01"])
    assert capsys.readouterr().out.splitlines()[-1] == (
        "data as of 2023-07-01; extract per project: WGTW-ANT 2023-06-30, WGTW-LIM 2023-06-30"
    )
    # targets as of then: read from June's extracts, a project with none not judged
    main(["progress", "--warehouse", str(root / "warehouse.duckdb"), "--as-of", "2023-07-01",
          "--json"])  # fmt: skip
    rows = {(r["project_code"], r["metric"]): r for r in
            json.loads(capsys.readouterr().out)["targets"]}  # fmt: skip
    assert (
        rows[("WGTW-ANT", "reached")]["actual"]
        == june["WGTW-ANT"].filter(pl.col("reached_on") >= dt.date(2021, 1, 1)).height
    )
    assert rows[("WGTW-OVL", "reached")]["status"] == "no_data"
    # a project with no extract by then is refused by name, not shown as zeros
    code = main(["metrics", "--warehouse", str(root / "warehouse.duckdb"), "--as-of",
                 "2023-07-01", "--project", "WGTW-OVL"])  # fmt: skip
    assert code == 2 and "no accepted extract of WGTW-OVL on or before 2023-07-01" in (
        capsys.readouterr().err
    )
    code = main(["metrics", "--warehouse", str(root / "warehouse.duckdb"), "--as-of",
                 "2023-07-01", "--project", "WGTW-ANT", "--project", "WGTW-OVL"])  # fmt: skip
    assert code == 2 and "of WGTW-OVL on" in capsys.readouterr().err  # not silently dropped


def test_a_warehouse_from_before_history_gets_its_live_snapshots_as_history(history, tmp_path):
    root, june, july, corrected = history
    warehouse = tmp_path / "old.duckdb"
    shutil.copyfile(root / "warehouse.duckdb", warehouse)
    con = duckdb.connect(str(warehouse))
    con.execute("DROP TABLE raw.trajectory_versions")
    con.execute("DROP TABLE ops.snapshot_history")
    con.close()
    (tmp_path / "empty").mkdir()
    run_load(tmp_path / "empty", warehouse, tmp_path / "q")
    reader = connect_read_only(warehouse)
    try:
        use_vintage(reader, JULY)
        assert _figures(reader) == truth_of([corrected, july["WGTW-LIM"]])
        with pytest.raises(NoDataYet):  # what came before was not kept: it is not made up
            use_vintage(reader, JUNE)
    finally:
        reader.close()


@pytest.fixture
def renamed_site(tmp_path, monkeypatch):
    """A demo-site copy: WGTW-ANT loaded on 30 June; then its busiest partner is renamed and
    given another partner type in the site's reference, and the 31 July extract is loaded."""
    root = tmp_path / "site"
    shutil.copytree(demo_site() / "reference", root / "reference")
    shutil.copy(demo_site() / "targets.csv", root / "targets.csv")
    monkeypatch.setenv("WERKPAD_SITE", str(root))
    default_contract.cache_clear()
    june = generate(600, 5, JUNE, ["WGTW-ANT"])["WGTW-ANT"]
    before = pl.read_csv(root / "reference" / "partners.csv", infer_schema=False)
    run_load(write_csv(june, root / "night1").parent, root / "warehouse.duckdb", root / "q")
    busiest = june["partner_code"].value_counts(sort=True)["partner_code"][0]
    old_type = before.filter(pl.col("partner_code") == busiest)["partner_type"][0]
    new_type = "other" if old_type != "other" else "welfare"
    after = before.with_columns(
        pl.when(pl.col("partner_code") == busiest).then(pl.lit("Hernoemd")).otherwise(
            pl.col("name")).alias("name"),
        pl.when(pl.col("partner_code") == busiest).then(pl.lit(new_type)).otherwise(
            pl.col("partner_type")).alias("partner_type"),
    )  # fmt: skip
    after.write_csv(root / "reference" / "partners.csv")
    july = june.with_columns(pl.lit(JULY).alias("extract_date"))
    run_load(write_csv(july, root / "night2").parent, root / "warehouse.duckdb", root / "q")
    yield root, june, busiest, before, after
    default_contract.cache_clear()


def _by_partner_type(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = con.sql(
        "SELECT partner_type, count(*) FROM marts.fct_trajectories GROUP BY 1"
    ).fetchall()
    return dict(rows)


def _oracle(trajectories: pl.DataFrame, partners: pl.DataFrame) -> dict[str, int]:
    joined = trajectories.join(partners, on="partner_code", how="left")
    return dict(joined.group_by("partner_type").len().iter_rows())


def test_a_vintage_reads_the_reference_in_force_when_it_was_loaded(renamed_site):
    """A partner renamed and retyped after 30 June: as of 30 June the figures are grouped and
    named as they were shown then; the current data follow the new reference."""
    root, june, busiest, before, after = renamed_site
    con = connect_read_only(root / "warehouse.duckdb")
    try:
        assert reference_names(con)["partner"][busiest] == "Hernoemd"
        assert _by_partner_type(con) == _oracle(june, after)
        use_vintage(con, JUNE)
        assert reference_names(con)["partner"][busiest] != "Hernoemd"
        assert reference_names(con)["partner"][busiest] == before.filter(
            pl.col("partner_code") == busiest)["name"][0]  # fmt: skip
        assert _by_partner_type(con) == _oracle(june, before)
        assert _by_partner_type(con) != _oracle(june, after)  # the test can tell them apart
    finally:
        con.close()
