"""Placements with employers through the real loader (data_contracts/placements.yaml).

The truth is the generator's frames (sample_data/placements.py), checked here by polars
against the contract's rules; the loader must keep exactly those rows, refuse every faulty
file for its rule without quoting a value, and keep the last good placements live.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.load import run_load
from pipelines.vintage import use_vintage
from sample_data.faulty import PLACEMENT_FAULTS, write_faulty_placements
from sample_data.generator import DEFAULT_EXTRACT_DATE, generate
from sample_data.placements import generate_placements
from sample_data.writer import write_placements, write_sample
from werkpad.warehouse import connect_read_only

PROJECTS = ["WIZ-ANT", "OCMW-LEU", "JS-GEN"]
SEED = 11
# values the faulty files carry that no report, finding or log may quote
QUOTED = ["Bakkerij Peeters", "Garage Janssens", "Tuincentrum Maes", "WIZ-ANT-1999-0000001"]


@pytest.fixture(scope="module")
def frames():
    trajectories = generate(0, SEED, DEFAULT_EXTRACT_DATE, PROJECTS)
    return trajectories, generate_placements(trajectories, SEED)


@pytest.fixture(scope="module")
def night(frames, tmp_path_factory):
    """Night 1: the three projects' trajectories and placements, in one inbox. Night 2: every
    faulty placements file, dated after them."""
    trajectories, placements = frames
    root = tmp_path_factory.mktemp("placements")
    write_sample(trajectories, root / "night1")
    write_placements(placements, root / "night1")
    first = run_load(root / "night1", root / "warehouse.duckdb", root / "q")
    shutil.copyfile(root / "warehouse.duckdb", root / "after_night1.duckdb")
    faulty = write_faulty_placements(placements["WIZ-ANT"], root / "night2", DEFAULT_EXTRACT_DATE)
    second = run_load(root / "night2", root / "warehouse.duckdb", root / "q")
    return root, first, second, faulty


def _rows(path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_trajectories_then_placements_of_one_night_all_load(night, frames):
    _, first, _, _ = night
    _, placements = frames
    statuses = {f.file: (f.status, f.rows) for f in first.files}
    for code, frame in placements.items():
        name = f"{code}_placements_{frame['extract_date'][0]:%Y%m%d}"
        found = [v for k, v in statuses.items() if k.startswith(name)]
        assert found == [("loaded", frame.height)], (code, statuses)


def test_the_warehouse_holds_exactly_the_generated_placements(night, frames):
    root, *_ = night
    _, placements = frames
    truth = pl.concat(placements.values())
    stored = _rows(
        root / "warehouse.duckdb",
        "SELECT project_code, placement_id, trajectory_id, employer_key, placement_type, "
        "started_on, ended_on, end_reason, hired_by_employer FROM raw.placements",
    )
    expected = truth.select(
        "project_code", "placement_id", "trajectory_id", "employer_key", "placement_type",
        "started_on", "ended_on", "end_reason", "hired_by_employer",
    ).rows()  # fmt: skip
    assert sorted(stored, key=str) == sorted(expected, key=str)
    counts = _rows(
        root / "warehouse.duckdb",
        "SELECT project_code, rows FROM ops.placement_snapshots ORDER BY 1",
    )
    assert counts == sorted((c, f.height) for c, f in placements.items())


def test_each_faulty_placements_file_is_refused_for_its_rule_quoting_nothing(night):
    root, _, second, faulty = night
    assert sorted(faulty.values()) == sorted(rule for rule, _ in PLACEMENT_FAULTS.values())
    by_name = {f.source.name: f for f in second.files}
    for path, rule in faulty.items():
        outcome = by_name[path.name]
        assert outcome.status == "refused", path.name
        assert rule in [f.rule for f in outcome.findings], (path.name, outcome.findings)
        text = json.dumps([f.__dict__ for f in outcome.findings], default=str)
        report = outcome.report.read_text(encoding="utf-8") if outcome.report else ""
        for value in QUOTED:
            assert value not in text and value not in report, (path.name, value)


def test_the_last_good_placements_stay_live(night):
    root, *_ = night
    query = "SELECT * FROM raw.placements ORDER BY project_code, placement_id"
    assert _rows(root / "warehouse.duckdb", query) == _rows(root / "after_night1.duckdb", query)


def test_placements_without_their_trajectories_are_refused(frames, tmp_path):
    """A project's placements whose trajectories were never loaded name no live trajectory."""
    _, placements = frames
    write_placements({"OCMW-LEU": placements["OCMW-LEU"]}, tmp_path / "inbox")
    result = run_load(tmp_path / "inbox", tmp_path / "w.duckdb", tmp_path / "q")
    (outcome,) = result.files
    assert outcome.status == "refused"
    assert "trajectory_in_live_snapshot" in [f.rule for f in outcome.findings]


def test_placements_keep_history_and_read_as_of_a_date(frames, tmp_path):
    """A later export with one placement gone: the history keeps the old version, an
    unchanged re-export adds none, and as of the first date the vintage holds the old rows."""
    trajectories, placements = frames
    first = placements["WIZ-ANT"]
    later_day = DEFAULT_EXTRACT_DATE + dt.timedelta(days=31)
    later = first.slice(1).with_columns(pl.lit(later_day).alias("extract_date"))
    warehouse = tmp_path / "w.duckdb"
    write_sample({"WIZ-ANT": trajectories["WIZ-ANT"]}, tmp_path / "n1")
    write_placements({"WIZ-ANT": first}, tmp_path / "n1")
    run_load(tmp_path / "n1", warehouse, tmp_path / "q")
    write_placements({"WIZ-ANT": later}, tmp_path / "n2")
    run_load(tmp_path / "n2", warehouse, tmp_path / "q")
    versions = _rows(warehouse, "SELECT count(*) FROM raw.placement_versions")[0][0]
    assert versions == first.height  # one ended, none added: the rest did not change
    same = later.with_columns(pl.lit(later_day + dt.timedelta(days=1)).alias("extract_date"))
    write_placements({"WIZ-ANT": same}, tmp_path / "n3")
    run_load(tmp_path / "n3", warehouse, tmp_path / "q")
    assert _rows(warehouse, "SELECT count(*) FROM raw.placement_versions")[0][0] == versions
    con = connect_read_only(warehouse)
    try:
        assert con.execute("SELECT count(*) FROM raw.placements").fetchone()[0] == later.height
        use_vintage(con, DEFAULT_EXTRACT_DATE)
        held = con.execute("SELECT placement_id, extract_date FROM raw.placements").fetchall()
        assert sorted(held) == sorted(first.select("placement_id", "extract_date").rows())
    finally:
        con.close()


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_any_seeds_placements_keep_the_contracts_rules(seed):
    """Independently of the loader: every placement belongs to a trajectory of its project,
    starts on or after its first contact, lies in order and before the extract date, has an
    end reason exactly when it ended, and says whether the employer hired only then."""
    trajectories = generate(0, seed, DEFAULT_EXTRACT_DATE, PROJECTS)
    for code, frame in generate_placements(trajectories, seed).items():
        joined = frame.join(
            trajectories[code].select("trajectory_id", "reached_on"), on="trajectory_id",
            how="left",
        )  # fmt: skip
        assert joined["reached_on"].null_count() == 0, code
        assert (joined["started_on"] >= joined["reached_on"]).all(), code
        extract = frame["extract_date"][0]
        assert (frame["started_on"] <= extract).all()
        ended = frame.filter(pl.col("ended_on").is_not_null())
        assert (ended["ended_on"] >= ended["started_on"]).all() and (
            ended["ended_on"] <= extract).all()  # fmt: skip
        assert (frame["ended_on"].is_null() == frame["end_reason"].is_null()).all()
        running = frame.filter(pl.col("ended_on").is_null())
        assert running["hired_by_employer"].null_count() == running.height
        assert frame["placement_id"].n_unique() == frame.height
        assert frame["employer_key"].str.contains(r"^[0-9a-f]{16,64}$").all()


@pytest.mark.parametrize("column", ["werkgever", "Contactpersoon", "KBO-nummer", "Firma"])
def test_a_column_naming_the_employer_or_a_contact_refuses_the_file(frames, tmp_path, column):
    """Employers are keys, never names: an extra column that would hold a company's or a
    contact person's name refuses the file, and its values are quoted nowhere."""
    trajectories, placements = frames
    write_sample({"WIZ-ANT": trajectories["WIZ-ANT"]}, tmp_path / "inbox")
    frame = placements["WIZ-ANT"].with_columns(pl.lit("Bakkerij Peeters BV").alias(column))
    write_placements({"WIZ-ANT": frame}, tmp_path / "inbox")
    result = run_load(tmp_path / "inbox", tmp_path / "w.duckdb", tmp_path / "q")
    refused = [f for f in result.files if "_placements_" in (f.source.name if f.source else "")]
    (outcome,) = refused
    assert outcome.status == "refused"
    assert "privacy.personal_column" in [f.rule for f in outcome.findings]
    assert "Bakkerij Peeters" not in outcome.report.read_text(encoding="utf-8")


def test_the_placements_mart_agrees_with_an_independent_count(night, frames):
    """marts.fct_placements: one row per placement, with its trajectory's region and partner,
    its employer's first placement anywhere, and whether paid work started within 183 days,
    each recomputed here from the generated frames."""
    root, *_ = night
    trajectories, placements = frames
    people = pl.concat(trajectories.values()).select(
        "project_code", "trajectory_id", "region_code", "partner_code", "job_started_on"
    )
    truth = pl.concat(placements.values()).join(people, on=["project_code", "trajectory_id"])
    first = truth.group_by("employer_key").agg(pl.col("started_on").min().alias("first"))
    truth = truth.join(first, on="employer_key").with_columns(
        within=(pl.col("job_started_on") >= pl.col("started_on"))
        & (pl.col("job_started_on") <= pl.col("started_on") + pl.duration(days=183))
    )
    expected = truth.select(
        "placement_id", "region_code", "partner_code", "first",
        pl.col("within").fill_null(False),
    ).rows()  # fmt: skip
    stored = _rows(
        root / "warehouse.duckdb",
        "SELECT placement_id, region_code, partner_code, employer_first_started_on, "
        "paid_job_within_6m FROM marts.fct_placements",
    )
    assert sorted(stored) == sorted(expected)
    assert truth["within"].fill_null(False).any()  # the oracle can tell true from false


def test_a_vintage_of_a_warehouse_from_before_placements_has_them_empty(night, tmp_path):
    root, *_ = night
    old = tmp_path / "old.duckdb"
    shutil.copyfile(root / "after_night1.duckdb", old)
    con = duckdb.connect(str(old))
    con.execute("DROP TABLE marts.fct_placements")
    con.execute("DROP VIEW staging.stg_placements")
    for table in ("raw.placements", "raw.placement_versions", "ops.placement_snapshots",
                  "ops.placement_snapshot_history"):  # fmt: skip
        con.execute(f"DROP TABLE {table}")
    con.close()
    con = connect_read_only(old)
    try:
        use_vintage(con, DEFAULT_EXTRACT_DATE)
        assert con.execute("SELECT count(*) FROM marts.fct_placements").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM marts.fct_trajectories").fetchone()[0] > 0
    finally:
        con.close()
