"""The demo site's five programmes, as the seed documents describe them.

The figures the documents report are checked on the generator's frames (polars, no product
code): Jumpstart Gent's 51 files and their outcomes exactly, Jumpstart Antwerpen's
registrations by period, Reling's size, gender and paid work. The committed extracts of every
programme load through the real `werkpad load`, and the demo's programme filter offers all
five.
"""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import polars as pl
import pytest

from pipelines.load import run_load
from sample_data.committed import HERE
from sample_data.generator import generate, programme_profiles
from werkpad.config import SAMPLE_DEFAULT_ROWS, SAMPLE_DEFAULT_SEED
from werkpad.contract import default_contract


@pytest.fixture(scope="module")
def frames() -> dict[str, pl.DataFrame]:
    return generate(SAMPLE_DEFAULT_ROWS, SAMPLE_DEFAULT_SEED, programmes=True)


def test_every_programme_of_the_demo_site_has_extracts(frames):
    projects = default_contract().reference_rows("projects")
    programmes = {p["programme_code"] for p in projects}
    assert programmes == {"WGTW", "JS", "IPS", "WIZ", "OCMW"}
    with_data = {p["programme_code"] for p in projects if p["project_code"] in frames}
    assert with_data == programmes
    for project in projects:  # every first contact within its project's years
        frame = frames[project["project_code"]]
        start = dt.date.fromisoformat(project["start_date"])
        end = dt.date.fromisoformat(project["end_date"])
        assert frame["reached_on"].min() >= start and frame["reached_on"].max() <= end


def test_jumpstart_gent_is_as_its_mid_august_2019_report(frames):
    gent = frames["JS-GEN"]
    assert gent.height == 51
    assert gent["reached_on"].min() < dt.date(2018, 1, 1)  # files of the past two years
    assert gent["extract_date"].unique().to_list() == [dt.date(2019, 8, 15)]
    moved = gent.filter(pl.col("decision") == "step_to_work")
    assert dict(moved["step_type"].value_counts().iter_rows()) == {
        "paid_job": 3, "art60": 3, "ibo": 1, "maatwerk": 2, "training": 3
    }  # fmt: skip
    jobs = gent.filter(pl.col("job_started_on").is_not_null())
    assert jobs["job_circuit"].to_list() == ["nec"] * 3  # NEC 3
    early = gent.filter(pl.col("end_reason").str.starts_with("early_stop"))
    assert early.height == 18 and early["warm_handover"].to_list() == [True] * 18
    assert gent.filter(pl.col("ended_on").is_null()).height == 20  # still in guidance


def test_jumpstart_antwerpen_registrations_and_people(frames):
    antwerp = frames["JS-ANT"]
    in_2018 = antwerp.filter(pl.col("reached_on").dt.year() == 2018).height
    early_2019 = antwerp.filter(
        pl.col("reached_on").is_between(dt.date(2019, 1, 1), dt.date(2019, 2, 28))
    ).height
    assert (in_2018, early_2019) == (52, 40)
    later = antwerp.filter(pl.col("reached_on") > dt.date(2019, 2, 28)).height
    assert later / 5 >= early_2019 / 2  # a month after February took as many as before
    assert (antwerp["education_level"] == "low").mean() == pytest.approx(0.85, abs=0.08)
    assert antwerp["mental_health"].mean() == pytest.approx(0.68, abs=0.1)
    assert antwerp["addiction"].mean() == pytest.approx(0.74, abs=0.1)  # drug problems


def test_reling_is_as_its_2014_report(frames):
    reling = frames["IPS-REL"]
    assert reling.height == 233
    assert reling.filter(pl.col("reached_on").dt.year() == 2014).height == 180  # 53 before
    assert (reling["gender"] == "M").mean() == pytest.approx(0.42, abs=0.06)
    jobs = reling.filter(pl.col("job_started_on").is_not_null())
    assert jobs.height / reling.height == pytest.approx(0.23, abs=0.04)
    assert (jobs["job_circuit"] == "nec").mean() == pytest.approx(0.67, abs=0.1)
    # a job step starts the supported-employment trajectory: the funnel narrows, never widens
    assert reling["trajectory_started_on"].is_not_null().sum() >= jobs.height
    regions = {p["region_code"] for p in default_contract().reference_rows("partners")
               if p["partner_code"] in set(reling["partner_code"])}  # fmt: skip
    assert regions == {"LIM-WLI"}  # west Limburg


def test_a_profile_never_changes_the_we_go_to_work_sample(frames):
    """The other programmes draw from their own random streams: We Go To Work's sample is
    the same with or without them (every seed's tests and benchmarks keep their data)."""
    alone = generate(SAMPLE_DEFAULT_ROWS, SAMPLE_DEFAULT_SEED)
    assert set(alone) == set(frames) - set(programme_profiles())
    for code, frame in alone.items():
        assert frame.equals(frames[code])


def test_the_committed_extracts_of_every_programme_load(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in (HERE / "extracts").iterdir():
        shutil.copy(path, inbox)
    result = run_load(inbox, tmp_path / "warehouse.duckdb", tmp_path / "quarantine")
    assert {f.status for f in result.files} == {"loaded"}
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        programmes = con.sql(
            "SELECT DISTINCT programme_code FROM marts.fct_trajectories ORDER BY 1"
        ).fetchall()
        targets = con.sql("SELECT DISTINCT project_code FROM staging.stg_targets").fetchall()
    finally:
        con.close()
    assert [p for (p,) in programmes] == ["IPS", "JS", "OCMW", "WGTW", "WIZ"]
    assert {p for (p,) in targets} == set(generate(10, 1, programmes=True))  # all targeted
