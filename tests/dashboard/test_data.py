"""The query layer: suppressed tables that a reader can combine still leak nothing.

A page asks for each of its tables on its own (and other pages ask for their totals), so the
tables are fetched here one call at a time, as the pages do, and then checked together: every
published count matches an independent polars count, no published count is below the
threshold, and no withheld count follows from all the published ones taken together.
"""

from __future__ import annotations

import datetime as dt
import itertools

import polars as pl
import pytest

from dashboard import data
from tests.test_disclosure import recoverable
from werkpad.site import demo_site

THRESHOLD = 5


@pytest.fixture
def live(loaded, monkeypatch):
    """The query layer pointed at the shared sample warehouse."""
    monkeypatch.setenv("WERKPAD_WAREHOUSE", str(loaded[0] / "warehouse.duckdb"))
    return data.version()


@pytest.fixture(scope="module")
def truth(all_trajectories) -> pl.DataFrame:
    """The generator's trajectories with the groupings the pages use, counted with polars."""
    reference = demo_site() / "reference"
    partners = pl.read_csv(reference / "partners.csv").select("partner_code", "partner_type")
    projects = pl.read_csv(reference / "projects.csv").select("project_code", "province_code")
    return (
        all_trajectories.join(projects, on="project_code", how="left")
        .join(partners, on="partner_code", how="left")
        .with_columns(
            reached_month=pl.col("reached_on").dt.truncate("1mo"),
            reached_quarter=pl.col("reached_on").dt.truncate("1q"),
        )
    )


def _published(live, filters: dict, tables: list[tuple[str, ...]]) -> dict[tuple, int | None]:
    """Every `reached` count the tables show, keyed by sorted (grouping, value) pairs.

    A grouping's value that a table does not list is a published zero: a reader sees it.
    """
    seen: dict[tuple, int | None] = {}
    for groups in tables:
        frame = data.grouped(live, data.freeze(filters), groups, ("reached",), THRESHOLD)
        shown = {tuple(row[:-1]): row[-1] for row in frame.iter_rows()}
        values = [sorted(set(frame[g]), key=str) for g in groups]
        for key in itertools.product(*values):
            named = tuple(sorted(zip(groups, key, strict=True)))
            seen[named] = shown.get(key, 0)
    return seen


def _check(seen, truth: pl.DataFrame, finest: list[str]) -> None:
    cells = truth.group_by(finest).len()
    values = [sorted(set(truth[d]), key=str) for d in finest]
    nests = [(d, p) for d, p in _NESTS if d in finest and p in finest]
    parent = {(d, p): dict(truth.select(d, p).unique().iter_rows()) for d, p in nests}
    space = [
        cell
        for cell in (dict(zip(finest, key, strict=True)) for key in itertools.product(*values))
        if all(parent[(d, p)][cell[d]] == cell[p] for d, p in nests)  # a partner's own province
    ]
    withheld = 0
    for named, value in seen.items():
        want = (
            cells.filter(*(pl.col(d) == v for d, v in named))["len"].sum()
            if named
            else (cells["len"].sum())
        )
        assert value is None or value == want, named  # published figures are true counts
        assert value is None or value == 0 or value >= THRESHOLD, named
        withheld += value is None
    assert 0 < withheld < len(seen)  # a selection that puts suppression to work
    assert recoverable(space, seen) == []


_NESTS = [("partner_code", "province_code"), ("partner_code", "partner_type")]


def test_a_funders_grid_trend_and_bars_leak_nothing_together(live, truth):
    # the reach page's month x province grid and province and partner-type bars, the
    # overview's monthly trend and headline, for a year and one gender
    filters = {"gender": ["F"], "reached_from": "2022-01-01", "reached_to": "2022-12-31"}
    tables = [(), ("reached_month",), ("province_code",), ("reached_month", "province_code")]
    tables.append(("partner_type",))
    seen = _published(live, filters, tables)
    year = truth.filter(
        pl.col("gender") == "F", pl.col("reached_on").dt.year() == 2022
    ).with_columns(pl.col("reached_month").cast(pl.String))
    seen = {tuple((d, str(v)) for d, v in named): v2 for named, v2 in seen.items()}
    _check(seen, year, ["reached_month", "province_code", "partner_type"])


def test_a_project_leads_partner_tables_leak_nothing_together(live, truth):
    # Limburg's partner bars, partner-type bars, referral bars and partner x referral table
    filters = {"scope_province": ["LIM"]}
    tables = [(), ("province_code",), ("partner_type",), ("partner_code",)]
    tables += [("referral_source",), ("partner_code", "referral_source")]
    seen = _published(live, filters, tables)
    limburg = truth.filter(pl.col("province_code") == "LIM")
    _check(seen, limburg, ["partner_code", "province_code", "partner_type", "referral_source"])


def test_a_step_count_a_few_below_its_decisions_is_withheld(live, truth):
    # by referral source, a province and a year: 2 people who decided "not now" are findable
    # from decided - stepped as surely as from a cell of 2
    counts = (
        truth.with_columns(year=pl.col("reached_on").dt.year())
        .group_by("province_code", "year", "referral_source")
        .agg(
            decided=pl.col("decision").is_not_null().sum(),
            stepped=(pl.col("decision") == "step_to_work").sum(),
        )
        .with_columns(gap=pl.col("decided") - pl.col("stepped"))
    )
    case = counts.filter(pl.col("stepped") >= THRESHOLD, pl.col("gap").is_between(1, 4)).sort(
        "province_code", "year", "referral_source"
    )
    province, year = case["province_code"][0], case["year"][0]
    filters = {
        "province": [province],
        "reached_from": f"{year}-01-01",
        "reached_to": f"{year}-12-31",
    }
    frame = data.grouped(
        live, data.freeze(filters), ("referral_source",), ("decided", "stepped"), THRESHOLD
    )
    want = counts.filter(pl.col("province_code") == province, pl.col("year") == year)
    shown = {r["referral_source"]: r for r in frame.iter_rows(named=True)}
    for row in want.iter_rows(named=True):
        got = shown[row["referral_source"]]
        assert got["stepped"] in (None, row["stepped"])
        if 0 < row["gap"] < THRESHOLD:
            assert got["stepped"] is None, row
    headline = data.headline(live, data.freeze(filters), THRESHOLD)
    total = want.select(pl.col("decided").sum(), pl.col("stepped").sum()).row(0)
    if 0 < total[0] - total[1] < THRESHOLD:
        assert headline["stepped"] is None


def test_the_sankey_gives_no_withheld_headline_figure_away(live, truth):
    # a province and quarter where the headline withholds stepped (a few decided "not now"):
    # the Sankey's step_to_work node is that same count and must not show it either
    monthly = (
        truth.group_by("province_code", "reached_quarter")
        .agg(
            decided=pl.col("decision").is_not_null().sum(),
            stepped=(pl.col("decision") == "step_to_work").sum(),
        )
        .filter(
            pl.col("stepped") >= THRESHOLD, (pl.col("decided") - pl.col("stepped")).is_between(1, 4)
        )
        .sort("province_code", "reached_quarter")
    )
    assert monthly.height >= 2
    for province, month in monthly.select("province_code", "reached_quarter").iter_rows():
        _check_sankey(live, province, month)


def _check_sankey(live, province: str, month: dt.date) -> None:
    """The Sankey of one province over one quarter (a protected role's periods are quarters)."""
    end = (month + dt.timedelta(days=95)).replace(day=1) - dt.timedelta(days=1)
    filters = {"province": [province], "reached_from": str(month), "reached_to": str(end)}
    headline = data.headline(live, data.freeze(filters), THRESHOLD)
    assert headline["stepped"] is None  # decided may be withheld too (a small gap above it)
    dims = ("referral_source", "decision_state", "outcome")
    # what the Sankey publishes: one two-way table per step and the node totals it sizes the
    # gathered "x" flows with (werkpad.rendering.charts.sankey)
    tables = [dims[:2], dims[1:], ("referral_source",), ()]
    seen = _published(live, filters, tables)
    decided = (("decision_state", "no_step_now"), ("decision_state", "step_to_work"))
    seen[decided] = headline["decided"]
    seen[(("decision_state", "step_to_work"),)] = None  # withheld in the headline
    seen[(("outcome", "paid_job"),)] = headline["job_started"]
    frames = [
        data.grouped(live, data.freeze(filters), t, ("reached",), THRESHOLD) for t in tables[:2]
    ]
    values = [sorted({v for f in frames if d in f.columns for v in f[d]}, key=str) for d in dims]
    finest = [dict(zip(dims, key, strict=True)) for key in itertools.product(*values)]
    assert recoverable(finest, seen) == [], (province, month)


Q2_2022 = {"reached_from": dt.date(2022, 4, 1), "reached_to": dt.date(2022, 6, 30)}
Q1_2021 = {"reached_from": dt.date(2021, 1, 1), "reached_to": dt.date(2021, 4, 1)}


@pytest.mark.parametrize(
    "who, scope, filters, period",
    [
        # a funder looking at one project in a quarter, with a complement-prone gender filter
        ("funder", {}, {"project": ["WGTW-LIM"], "gender": ["F", "M"]}, Q2_2022),
        # all age groups but the smallest: its complement is what must stay hidden
        ("funder", {}, {"age_group": ["30-54", "55+"]}, Q1_2021),
        # a Limburg project lead (scope), narrowed to an age group
        ("project_lead", {"scope_province": ["LIM"]}, {"age_group": ["55+"]}, Q2_2022),
    ],
)
def test_the_pack_publishes_what_the_dashboard_shows(
    live, loaded, tmp_path, who, scope, filters, period
):
    """One layer of published figures: the dashboard's headline and the report pack's agree,
    withheld counts included, for the same selection and threshold."""
    from werkpad.metrics import shown as shown_metrics
    from werkpad.report_pack import build_pack

    HEADLINE = shown_metrics("report")
    from werkpad.warehouse import connect_read_only

    shown = data.headline(live, data.freeze(period | filters | scope), THRESHOLD)
    con = connect_read_only(loaded[0] / "warehouse.duckdb")
    try:
        pack = build_pack(
            con, tmp_path / "pack.zip", period["reached_from"], period["reached_to"],
            filters.get("project"), THRESHOLD, "nl",
            scope={k: v for k, v in filters.items() if k != "project"} | scope,
        )  # fmt: skip
    finally:
        con.close()
    assert {k: pack.headline[k] for k in HEADLINE} == {k: shown[k] for k in HEADLINE}
    assert any(shown[k] is None for k in HEADLINE), "choose a selection that withholds"
