"""Shared fixtures, all built in code from the seeded sample generator.

Session-scoped because loading runs Great Expectations (seconds per process); tests that
change a warehouse copy it first (`fresh_copy`) so the shared one stays as documented.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from pipelines.load import RunResult, run_load
from sample_data.faulty import write_faulty
from sample_data.generator import DEFAULT_EXTRACT_DATE, generate
from sample_data.writer import write_sample

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
