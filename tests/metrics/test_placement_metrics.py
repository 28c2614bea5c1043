"""The employer-network metrics (metrics.yaml `placement_metrics`) against an independent
polars count of the generated frames, across the period's boundaries: an employer is new when
its first placement anywhere started in the period, returning when it also had a placement in
the 365 days before the period."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from werkpad.cli import main
from werkpad.metrics.placements import compute_placements, load_placement_metrics
from werkpad.warehouse import connect_read_only


def _oracle(frame: pl.DataFrame, start: dt.date | None, end: dt.date | None,
            projects: list[str] | None = None) -> dict[str, float | None]:  # fmt: skip
    first = dict(frame.group_by("employer_key").agg(pl.col("started_on").min()).iter_rows())
    chosen = frame.filter(pl.col("project_code").is_in(projects)) if projects else frame
    low, high = start or dt.date(1, 1, 1), end or dt.date(9999, 12, 31)
    period = chosen.filter(pl.col("started_on").is_between(low, high))
    before = (
        chosen.filter(  # nothing lies before a selection of all time
            pl.col("started_on") >= low - dt.timedelta(days=365), pl.col("started_on") < low
        )
        if start
        else chosen.head(0)
    )
    active = set(period["employer_key"])
    repeat = active & set(before["employer_key"])
    ended = period.filter(pl.col("ended_on").is_not_null()).height
    hired = period.filter(pl.col("hired_by_employer").fill_null(False)).height
    job = pl.col("job_started_on")
    paid = period.filter(
        job.is_between(pl.col("started_on"), pl.col("started_on") + pl.duration(days=183))
    ).height

    def rate(k: int, n: int) -> float | None:
        return k / n if n else None

    return {
        "placements": period.height,
        "employers_active": len(active),
        "employers_new": sum(1 for e in active if first[e] >= low),
        "employers_repeat": len(repeat),
        "repeat_employer_rate": rate(len(repeat), len(active)),
        "employer_diversity": rate(len(active), period.height),
        "placements_ended": ended,
        "hired_same_employer": hired,
        "hired_same_employer_rate": rate(hired, ended),
        "paid_job_within_6m": paid,
        "paid_job_within_6m_rate": rate(paid, period.height),
    }


SELECTIONS = [
    (None, None, None),
    (dt.date(2023, 1, 1), dt.date(2023, 6, 30), None),
    (dt.date(2023, 4, 1), dt.date(2023, 12, 31), ["WIZ-ANT"]),
    (dt.date(2022, 7, 1), dt.date(2022, 9, 30), ["OCMW-LEU"]),
]


@pytest.mark.parametrize(("start", "end", "projects"), SELECTIONS)
def test_every_placement_metric_equals_an_independent_count(network, start, end, projects):
    warehouse, frame = network
    truth = _oracle(frame, start, end, projects)
    con = connect_read_only(warehouse)
    try:
        found = compute_placements(
            con, {"reached_from": start, "reached_to": end, "project": projects}
        )
    finally:
        con.close()
    assert set(truth) == {m.name for m in load_placement_metrics()}
    for name, value in truth.items():
        assert found[name] == pytest.approx(value), name
    if start is not None:  # the selections reach across the boundaries they test
        assert 0 < truth["employers_new"] < truth["employers_active"] or projects


def test_the_boundaries_are_tested(network):
    """In 2023's first half some active employers are new and some return: the oracle can
    tell the two from 'all active'."""
    _, frame = network
    truth = _oracle(frame, dt.date(2023, 1, 1), dt.date(2023, 6, 30))
    assert 0 < truth["employers_new"] < truth["employers_active"]
    assert 0 < truth["employers_repeat"] < truth["employers_active"]


def test_werkpad_metrics_json_adds_the_placements_of_the_same_range(network, capsys):
    warehouse, frame = network
    code = main(["metrics", "--warehouse", str(warehouse), "--json", "--reached-from",
                 "2023-01-01", "--reached-to", "2023-06-30"])  # fmt: skip
    shown = json.loads(capsys.readouterr().out)
    assert code == 0 and "reached" in shown
    truth = _oracle(frame, dt.date(2023, 1, 1), dt.date(2023, 6, 30))
    assert shown["placements"]["placements"] == truth["placements"]
    assert shown["placements"]["employers_repeat"] == truth["employers_repeat"]


def test_a_person_filter_is_refused_by_name(network):
    con = connect_read_only(network[0])
    try:
        with pytest.raises(ValueError, match="gender"):
            compute_placements(con, {"gender": ["F"]})
    finally:
        con.close()
