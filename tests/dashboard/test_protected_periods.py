"""A protected role's custom period is shown as whole quarters, and says so.

Two periods a few days apart would tell who came in between, so werkpad.figures protects a
period as the whole quarters it covers. A funder who asks for 10/02/2022–03/05/2022 sees the
figures of 01/01/2022–30/06/2022 with a notice naming them; a steering member, who sees exact
counts, gets the dates asked for.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

ASKED = {"period": "custom", "from": "2022-02-10", "to": "2022-05-03"}
NOTICE = "Beschermde cijfers gelden voor hele kwartalen: getoond wordt 01/01/2022–30/06/2022."


def _reached(at) -> str:
    return next(m.value for m in at.metric if m.label == "Bereikte personen")


def _count(trajectories: pl.DataFrame, first: dt.date, last: dt.date) -> int:
    return trajectories.filter(pl.col("reached_on").is_between(first, last)).height


@pytest.mark.parametrize(
    ("name", "first", "last", "notice"),
    [
        ("fons", dt.date(2022, 1, 1), dt.date(2022, 6, 30), True),
        ("anna", dt.date(2022, 2, 10), dt.date(2022, 5, 3), False),
    ],
)
def test_a_custom_period_is_whole_quarters_for_a_protected_role(
    signed_in, all_trajectories, name, first, last, notice
):
    at = signed_in(name, **ASKED)
    infos = [i.value for i in at.sidebar.info]
    assert (NOTICE in infos) is notice, infos
    shown = int(_reached(at).replace(".", ""))
    assert shown == _count(all_trajectories, first, last)
