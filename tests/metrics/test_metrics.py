"""Every metric against counts computed independently (polars on the generator's frames)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import polars as pl
import pytest

from werkpad import metrics
from werkpad.warehouse import connect_read_only


def expected(frame: pl.DataFrame) -> dict:
    """The headline figures, counted straight from the typed sample trajectories."""
    early = pl.col("end_reason").str.starts_with("early_stop").fill_null(False)
    c = frame.select(
        reached=pl.len(),
        exploring=pl.col("exploration_started_on").is_not_null().sum(),
        decided=pl.col("decision").is_not_null().sum(),
        stepped=(pl.col("decision") == "step_to_work").sum(),
        job_started=pl.col("job_started_on").is_not_null().sum(),
        nec_jobs=(pl.col("job_circuit") == "nec").sum(),
        sustained_3m=pl.col("employed_3m").fill_null(False).sum(),
        early_stops=early.sum(),
        warm=(early & pl.col("warm_handover").fill_null(False)).sum(),
        ongoing=pl.col("ended_on").is_null().sum(),
    ).row(0, named=True)

    def rate(n, d):
        return None if d == 0 else n / d

    return {
        **{k: v for k, v in c.items() if k != "warm"},
        "step_rate": rate(c["stepped"], c["decided"]),
        "job_rate": rate(c["job_started"], c["reached"]),
        "nec_share": rate(c["nec_jobs"], c["job_started"]),
        "warm_handover_rate": rate(c["warm"], c["early_stops"]),
    }


def _check(actual: dict, want: dict) -> None:
    for name, value in want.items():
        if value is None or isinstance(value, int):
            assert actual[name] == value, name
        else:
            assert actual[name] == pytest.approx(value), name


@pytest.fixture(scope="module")
def con(loaded):
    connection = connect_read_only(loaded[0] / "warehouse.duckdb")
    yield connection
    connection.close()


def test_headline_equals_independent_counts(con, all_trajectories):
    _check(metrics.headline(con), expected(all_trajectories))


@pytest.mark.parametrize(
    "project, start, end",
    [
        ("WGTW-LIM", dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
        ("WGTW-ANT", dt.date(2021, 1, 1), dt.date(2021, 9, 30)),
        ("WGTW-OVL", dt.date(2023, 12, 31), dt.date(2023, 12, 31)),
    ],
)
def test_filters_are_inclusive_and_match_independent_counts(
    con, all_trajectories, project, start, end
):
    frame = all_trajectories.filter(
        (pl.col("project_code") == project) & pl.col("reached_on").is_between(start, end)
    )
    got = metrics.headline(con, {"project": [project], "reached_from": start, "reached_to": end})
    _check(got, expected(frame))


def test_empty_selection_gives_null_rates(con):
    got = metrics.headline(con, {"reached_from": dt.date(2030, 1, 1)})
    assert got["reached"] == 0 and got["step_rate"] is None and got["job_rate"] is None


def test_grouped_metrics_add_up(con, all_trajectories):
    rows = metrics.compute(con, group_by=["project_code"])
    want = all_trajectories.group_by("project_code").len()
    assert {r["project_code"]: r["reached"] for r in rows} == dict(want.iter_rows())


def test_cli_metrics_json(loaded, all_trajectories):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "werkpad.cli",
            "metrics",
            "--warehouse",
            str(loaded[0] / "warehouse.duckdb"),
            "--project",
            "WGTW-VBR",
            "--reached-from",
            "2022-01-01",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    frame = all_trajectories.filter(
        (pl.col("project_code") == "WGTW-VBR") & (pl.col("reached_on") >= dt.date(2022, 1, 1))
    )
    _check(json.loads(run.stdout), expected(frame))


def test_every_metric_is_documented_and_labelled():
    for metric in metrics.load_metrics():
        assert metric.label and len(metric.description) > 20, metric.name
        assert metric.type in ("count", "aggregate", "ratio")
    assert {
        "reached",
        "exploring",
        "decided",
        "stepped",
        "step_rate",
        "job_started",
        "job_rate",
        "nec_share",
        "sustained_3m",
        "early_stops",
        "warm_handover_rate",
        "ongoing",
    } <= set(metrics.metric_names())


def test_unknown_filter_or_grouping_is_refused(con):
    with pytest.raises(ValueError):
        metrics.compute(con, {"drop table": [1]})
    with pytest.raises(ValueError):
        metrics.compute(con, group_by=["1; DROP TABLE x"])


def test_wilson_interval_brackets_the_rate(con, all_trajectories):
    got = metrics.compute(con, group_by=["project_code"], only=["step_rate_low", "step_rate_high"])
    for row in got:
        assert 0 <= row["step_rate_low"] < row["step_rate"] < row["step_rate_high"] <= 1
    # independent Wilson bound for one project, from the formula
    frame = all_trajectories.filter(pl.col("project_code") == got[0]["project_code"])
    k = (frame["decision"] == "step_to_work").sum()
    n = frame["decision"].is_not_null().sum()
    p, z = k / n, 1.96
    low = (p + z**2 / (2 * n) - z * (p * (1 - p) / n + z**2 / (4 * n**2)) ** 0.5) / (1 + z**2 / n)
    assert got[0]["step_rate_low"] == pytest.approx(low)


def test_only_computes_what_is_asked_and_what_ratios_need(con):
    (row,) = metrics.compute(con, only=["step_rate"])
    assert set(row) == {"decided", "stepped", "step_rate", "step_rate_low", "step_rate_high"}


def test_target_group_filter_stays_inside_the_other_filters(con, all_trajectories):
    got = metrics.headline(
        con, {"project": ["WGTW-LIM"], "target_group": ["addiction", "mental_health"]}
    )
    want = all_trajectories.filter(
        pl.col("project_code") == "WGTW-LIM", pl.col("addiction") | pl.col("mental_health")
    ).height
    assert got["reached"] == want
