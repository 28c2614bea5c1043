"""Targets vs actual: each status reached with constructed targets, checked against an
independent computation (polars over the generator's own frames, the Wilson interval written
out here), through the real `werkpad load` and `werkpad progress` of a site folder.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import subprocess
import sys

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sample_data.generator import DEFAULT_EXTRACT_DATE
from sample_data.writer import write_sample
from werkpad import targets
from werkpad.site import StatusBands, demo_site

WERKPAD = [sys.executable, "-m", "werkpad.cli"]
START, END = dt.date(2021, 1, 1), DEFAULT_EXTRACT_DATE  # a period fully gone by: elapsed 1
HALF = (dt.date(2023, 1, 1), dt.date(2024, 12, 31))  # about half gone by on the data date
Z = 1.959963984540054  # the 95% normal quantile


def _wilson(k: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval, written out independently of the SQL macro."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return centre - half, centre + half


def _counts(frame: pl.DataFrame, start: dt.date, end: dt.date) -> dict[str, int]:
    chosen = frame.filter(pl.col("reached_on").is_between(start, end))
    return {
        "reached": chosen.height,
        "decided": chosen.filter(pl.col("decision").is_not_null()).height,
        "stepped": chosen.filter(pl.col("decision") == "step_to_work").height,
    }


def _expected_status(row: dict, counts: dict[str, int], elapsed: float) -> str:
    """The issue's rules, restated: count targets by the bands, rates by the interval."""
    if row["metric"] == "step_rate":
        k, n = counts["stepped"], counts["decided"]
        low, high = _wilson(k, n)
        if high < row["target"]:
            return "behind"
        if low > row["target"]:
            return "above"
        return "at_risk" if k / n < row["target"] else "on_track"
    share = counts[row["metric"]] / row["target"]
    if share < elapsed - 0.25:
        return "behind"
    if share < elapsed - 0.10:
        return "at_risk"
    return "above" if share > elapsed + 0.10 else "on_track"


@pytest.fixture(scope="module")
def constructed(tmp_path_factory, sample_frames):
    """A site whose targets are set from the true counts so that every status occurs, for
    count and rate targets alike, loaded by the real CLI."""
    root = tmp_path_factory.mktemp("targets_site")
    shutil.copytree(demo_site() / "reference", root / "reference")
    projects = sorted(sample_frames)
    rows = []
    # count targets, period fully gone by: achievement 0.70, 0.85, 1.00 and 1.20 of target
    for project, share in zip(projects, (0.70, 0.85, 1.00, 1.20), strict=False):
        actual = _counts(sample_frames[project], START, END)["reached"]
        rows.append((project, "reached", START, END, round(actual / share)))
    # a count target half-way through its period, on track by pro-rating only
    actual = _counts(sample_frames[projects[4]], *HALF)["stepped"]
    elapsed = targets.elapsed_share(*HALF, END)
    rows.append((projects[4], "stepped", *HALF, round(actual / elapsed)))
    # rate targets: above the interval, inside it above and below the rate, under it
    rate_targets = ("above_high", "in_above", "in_below", "below_low")
    for project, where in zip(projects, rate_targets, strict=False):
        c = _counts(sample_frames[project], START, END)
        rate, (low, high) = c["stepped"] / c["decided"], _wilson(c["stepped"], c["decided"])
        target = {"above_high": high + 0.02, "in_above": (rate + high) / 2,
                  "in_below": (rate + low) / 2, "below_low": low - 0.02}[where]  # fmt: skip
        rows.append((project, "step_rate", START, END, round(target, 4)))
    frame = pl.DataFrame(
        rows, schema=["project_code", "metric", "period_from", "period_to", "target"], orient="row"
    )
    frame.write_csv(root / "targets.csv")
    write_sample(sample_frames, root / "inbox")
    env = {k: v for k, v in os.environ.items() if k not in ("WERKPAD_SITE", "WERKPAD_USERS")}

    def werkpad(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*WERKPAD, *args, "--site", str(root)], env=env, cwd=root,
                              capture_output=True, text=True, timeout=900)  # fmt: skip

    loaded = werkpad("load")
    assert loaded.returncode == 0, loaded.stderr
    return root, frame, werkpad


def test_every_status_occurs_and_agrees_with_an_independent_computation(constructed, sample_frames):
    root, frame, werkpad = constructed
    done = werkpad("progress", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["on"] == str(DEFAULT_EXTRACT_DATE)  # the data date by default
    got = {(r["project_code"], r["metric"], r["period_from"]): r for r in report["targets"]}
    assert len(got) == frame.height
    for row in frame.iter_rows(named=True):
        one = got[(row["project_code"], row["metric"], str(row["period_from"]))]
        counts = _counts(
            sample_frames[row["project_code"]], row["period_from"], min(row["period_to"], END)
        )
        elapsed = targets.elapsed_share(row["period_from"], row["period_to"], END)
        if row["metric"] == "step_rate":
            assert one["actual"] == pytest.approx(counts["stepped"] / counts["decided"])
            assert one["expected"] == pytest.approx(row["target"])  # a rate is not pro-rated
        else:
            assert one["actual"] == counts[row["metric"]]
            assert one["expected"] == pytest.approx(row["target"] * elapsed)
            assert one["achievement"] == pytest.approx(counts[row["metric"]] / row["target"])
        assert one["status"] == _expected_status(row, counts, elapsed), one
    statuses = {(r["metric"] == "step_rate", r["status"]) for r in report["targets"]}
    assert statuses >= {(rate, s) for rate in (False, True) for s in targets.STATUSES}


def test_progress_on_a_day_and_for_one_project_reads_as_a_table(constructed, sample_frames):
    root, frame, werkpad = constructed
    project = frame["project_code"][0]
    on = dt.date(2022, 6, 30)
    done = werkpad("progress", "--on", str(on), "--project", project)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"targets on {on}"
    assert lines[1].split() == [
        "project", "metric", "period", "target", "actual", "expected", "achieved", "status"
    ]  # fmt: skip
    body = [line.split() for line in lines[2:]]
    assert {cells[0] for cells in body} == {project}
    reached = next(cells for cells in body if cells[1] == "reached")
    actual = _counts(sample_frames[project], START, on)["reached"]
    assert reached[4] == f"{actual:,}"


@given(
    start=st.dates(dt.date(2015, 1, 1), dt.date(2030, 1, 1)),
    days=st.integers(0, 3000),
    on=st.dates(dt.date(2010, 1, 1), dt.date(2035, 1, 1)),
)
def test_the_elapsed_share_is_the_share_of_days_gone_by(start, days, on):
    end = start + dt.timedelta(days=days)
    share = targets.elapsed_share(start, end, on)
    assert 0 <= share <= 1
    gone = len([d for d in range(days + 1) if start + dt.timedelta(days=d) <= on])
    assert share == pytest.approx(gone / (days + 1))


@given(
    achievement=st.floats(0, 3),
    elapsed=st.floats(0, 1),
    behind=st.floats(0.1, 0.5),
    at_risk=st.floats(0, 0.1),
    above=st.floats(0, 0.5),
)
def test_count_status_follows_the_bands(achievement, elapsed, behind, at_risk, above):
    bands = StatusBands(behind=behind, at_risk=at_risk, above=above)
    status = targets.count_status(achievement, elapsed, bands)
    gap = achievement - elapsed
    expected = (
        "behind" if gap < -behind else "at_risk" if gap < -at_risk
        else "above" if gap > above else "on_track"
    )  # fmt: skip
    assert status == expected


@given(k=st.integers(0, 400), extra=st.integers(1, 400), target=st.floats(0.01, 1))
def test_a_rate_is_behind_or_above_only_when_its_interval_says_so(k, extra, target):
    n = k + extra
    low, high = _wilson(k, n)
    status = targets.rate_status(k / n, low, high, target)
    assert (status == "behind") == (high < target)
    assert (status == "above") == (low > target)
    if low <= target <= high:
        assert status == ("at_risk" if k / n < target else "on_track")


def test_a_project_without_targets_is_named_not_an_empty_table(constructed):
    root, frame, werkpad = constructed
    done = werkpad("progress", "--project", "NOPE")
    assert done.returncode == 2
    assert "no targets for project NOPE" in done.stderr and done.stdout == ""


def test_a_project_without_an_extract_is_not_judged(history):
    """The history warehouse holds the demo site's targets, and extracts of two projects
    only. A target of a project with no extract (yet, or in the vintage read) was shown as
    "0 of 120, behind" (found in review); it has no actual and the status "no data yet",
    in the PDF's table too, while a project with data is judged as before."""
    from pipelines.vintage import use_vintage
    from tests.conftest import HISTORY_PROJECTS, JUNE
    from werkpad.rendering.i18n import MISSING, Translator
    from werkpad.warehouse import connect_read_only

    con = connect_read_only(history[0] / "warehouse.duckdb")
    try:
        for vintage in (None, JUNE):
            if vintage:
                use_vintage(con, vintage)
            rows = targets.progress(con, None, StatusBands(), threshold=5)
            without = [r for r in rows if r.project_code not in HISTORY_PROJECTS]
            with_data = [r for r in rows if r.project_code in HISTORY_PROJECTS]
            assert without and with_data
            assert {(r.actual, r.achievement, r.status) for r in without} == {
                (None, None, targets.NO_DATA)
            }
            assert all(r.status in targets.STATUSES and r.actual for r in with_data)
    finally:
        con.close()
    t = Translator("nl", missing="x")
    shown = targets.frame(rows, t.metric)
    _, cells = targets.pdf_rows(shown, t)
    judged = dict(zip(shown["project_code"], cells, strict=True))
    row = next(cells for code, cells in judged.items() if code not in HISTORY_PROJECTS)
    assert row[3] == row[5] == MISSING  # actual and share: nothing known, not "x"
    assert row[6] == "nog geen gegevens"  # not "achter"
