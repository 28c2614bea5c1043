"""The sample is calibrated to the programme documents and obeys the contract."""

from __future__ import annotations

import polars as pl

from sample_data.generator import RAMP_MONTHS, generate
from werkpad.config import SAMPLE_DEFAULT_ROWS, SAMPLE_DEFAULT_SEED
from werkpad.contract import default_contract


def test_default_sample_matches_the_documented_figures():
    frame = pl.concat(generate(SAMPLE_DEFAULT_ROWS, SAMPLE_DEFAULT_SEED).values())
    exploring = frame["exploration_started_on"].is_not_null().sum()
    decided = frame["decision"].is_not_null().sum()
    stepped = (frame["decision"] == "step_to_work").sum()
    assert 3_300 <= exploring <= 3_900  # We Go To Work: N = 3,585 through exploration
    assert 0.60 <= stepped / decided <= 0.70  # 65% made a considered step towards work
    jobs = frame.filter(pl.col("job_started_on").is_not_null())
    assert 0.55 <= (jobs["job_circuit"] == "nec").mean() <= 0.75  # Reling: 67% NEC
    assert frame["reached_on"].min().year == 2021 and frame["reached_on"].max().year == 2023


def test_partners_ramp_up_over_about_nine_months():
    frame = pl.concat(generate(20_000, 3).values())
    first = frame.group_by("partner_code").agg(pl.col("reached_on").min().alias("first"))
    months = frame.join(first, on="partner_code").with_columns(
        m=(pl.col("reached_on").dt.year() - pl.col("first").dt.year()) * 12
        + pl.col("reached_on").dt.month()
        - pl.col("first").dt.month()
    )
    per_month = months.group_by("m").len().sort("m")["len"].to_list()
    early = sum(per_month[:3]) / 3
    late = sum(per_month[RAMP_MONTHS + 3 : RAMP_MONTHS + 6]) / 3
    assert late > 2.5 * early


def test_values_come_from_the_contract():
    contract = default_contract()
    frame = pl.concat(generate(2_000, 11).values())
    for column in contract.columns:
        if column.values:
            assert set(frame[column.name].drop_nulls()) <= set(column.values), column.name
        if column.reference:
            assert set(frame[column.name]) <= set(contract.reference_keys(column.reference))


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = (pl.concat(generate(500, s).values()) for s in (1, 1, 2))
    assert a.equals(b) and not a.equals(c)
