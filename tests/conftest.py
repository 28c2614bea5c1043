"""Shared fixtures, all built in code from the seeded sample generator.

Session-scoped because loading runs Great Expectations (seconds per process); tests that
change a warehouse copy it first (`fresh_copy`) so the shared one stays as documented.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from pipelines.load import RunResult, run_load
from sample_data.faulty import write_faulty
from sample_data.generator import DEFAULT_EXTRACT_DATE, generate
from sample_data.placements import generate_placements
from sample_data.writer import write_placements, write_sample

# Plotly checks every chart's properties in the tests, and in every server they start
# (werkpad.config.check_charts; off in use, for speed), so a wrong property name fails here.
os.environ.setdefault("WERKPAD_CHECK_CHARTS", "1")

SEED = 7
ROWS = 3_000


@pytest.fixture(scope="session")
def sample_frames() -> dict[str, pl.DataFrame]:
    """Typed trajectories per project (3,000 in all, seed 7): the independent truth."""
    return generate(ROWS, SEED)


@pytest.fixture(scope="session")
def all_trajectories(sample_frames) -> pl.DataFrame:
    """The sample frames as one polars frame, for counting in tests."""
    return pl.concat(sample_frames.values())


@pytest.fixture(scope="session")
def loaded(tmp_path_factory, sample_frames) -> tuple[Path, RunResult, dict[Path, str]]:
    """A warehouse loaded from the five good extracts plus every faulty one.

    Returns the folder (with inbox/, quarantine/, warehouse.duckdb), the run result and the
    faulty files written, mapped to the rule each must be refused for.
    """
    root = tmp_path_factory.mktemp("loaded")
    write_sample(sample_frames, root / "inbox")
    faulty = write_faulty(sample_frames, root / "inbox", DEFAULT_EXTRACT_DATE)
    result = run_load(root / "inbox", root / "warehouse.duckdb", root / "quarantine")
    return root, result, faulty


@pytest.fixture
def fresh_copy(tmp_path, loaded) -> Path:
    """A private copy of the loaded warehouse for a test that writes to it."""
    target = tmp_path / "warehouse.duckdb"
    shutil.copyfile(loaded[0] / "warehouse.duckdb", target)
    return target


def write_csv(frame: pl.DataFrame, folder: Path) -> Path:
    """Write one project's typed frame as a plain CSV extract in folder; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_sample({frame["project_code"][0]: frame}, folder, fmt="csv")[0]


JUNE, JULY = dt.date(2023, 6, 30), dt.date(2023, 7, 31)
HISTORY_PROJECTS = ["WGTW-ANT", "WGTW-LIM"]


def later_extract(frame: pl.DataFrame, day: dt.date, every: int, offset: int = 0) -> pl.DataFrame:
    """The frame as a later extract: every `every`-th trajectory gone, every `every`-th other
    one with another gender (a correction), the rest as it was."""
    n = pl.int_range(pl.len())
    other = pl.when(pl.col("gender") == "F").then(pl.lit("M")).otherwise(pl.lit("F"))
    gender = pl.when((n + offset) % every == 1).then(other).otherwise(pl.col("gender"))
    return frame.filter((n + offset) % every != 0).with_columns(
        gender.alias("gender"), pl.lit(day).alias("extract_date")
    )


def truth_of(frames: list[pl.DataFrame]) -> dict[str, int]:
    frame = pl.concat(frames)
    return {
        "reached": frame.height,
        "decided": frame.filter(pl.col("decision").is_not_null()).height,
        "stepped": frame.filter(pl.col("decision") == "step_to_work").height,
        "job_started": frame.filter(pl.col("job_started_on").is_not_null()).height,
        "women": frame.filter(pl.col("gender") == "F").height,
    }


@pytest.fixture(scope="session")
def history(tmp_path_factory):
    """Night 1: both projects on 30 June. Night 2: Antwerp changed, Limburg unchanged, on 31
    July. Night 3: a corrected Antwerp export of 31 July."""
    root = tmp_path_factory.mktemp("vintage")
    june = generate(1_200, 3, JUNE, HISTORY_PROJECTS)
    july = {"WGTW-ANT": later_extract(june["WGTW-ANT"], JULY, 40)}
    july["WGTW-LIM"] = june["WGTW-LIM"].with_columns(pl.lit(JULY).alias("extract_date"))
    corrected = later_extract(july["WGTW-ANT"], JULY, 60, offset=7)
    for night, frames in (("night1", june), ("night2", july)):
        for frame in frames.values():
            write_csv(frame, root / night)
        run_load(root / night, root / "warehouse.duckdb", root / "q")
    shutil.copyfile(root / "warehouse.duckdb", root / "before_correction.duckdb")
    write_csv(corrected, root / "night3")
    run_load(root / "night3", root / "warehouse.duckdb", root / "q")
    return root, june, july, corrected


NETWORK_SEED = 23
NETWORK_PROJECTS = ["WIZ-ANT", "JS-ANT", "JS-GEN", "OCMW-LEU", "WGTW-ANT"]


@pytest.fixture(scope="session")
def network(tmp_path_factory) -> tuple[Path, pl.DataFrame]:
    """A warehouse with the employer networks of Werk-in-zicht, Jumpstart and OCMW (and a
    We Go To Work project, which has none), and the independent truth: every placement
    with its trajectory's region, partner and job start (province: the region's prefix)."""
    trajectories = generate(300, NETWORK_SEED, DEFAULT_EXTRACT_DATE, NETWORK_PROJECTS)
    placements = generate_placements(trajectories, NETWORK_SEED)
    root = tmp_path_factory.mktemp("network")
    write_sample(trajectories, root / "inbox")
    write_placements(placements, root / "inbox")
    result = run_load(root / "inbox", root / "warehouse.duckdb", root / "q")
    assert {f.status for f in result.files} == {"loaded"}
    people = pl.concat(trajectories.values()).select(
        "project_code", "trajectory_id", "region_code", "partner_code", "job_started_on"
    )
    frame = pl.concat(placements.values()).join(people, on=["project_code", "trajectory_id"])
    province = pl.col("region_code").str.split("-").list.first()
    return root / "warehouse.duckdb", frame.with_columns(province_code=province)
