"""The funder report pack is the selection on screen: its figures, caption and file name.

A funder looking at one province and a Limburg lead looking at one subregion each download
the pack the way the button makes it (downloads.pack_arguments on the page's own Context).
Before, the pack ignored province and region: a "province-ANT" pack held all of Flanders.
"""

from __future__ import annotations

import zipfile

import polars as pl
import pytest

from dashboard.downloads import file_name, pack_arguments
from dashboard.shell.signin import _STATE_KEY
from werkpad.contract import default_contract
from werkpad.report_pack import build_pack
from werkpad.sql import load_sql, one_row
from werkpad.warehouse import connect_read_only

CASES = [
    ("fons", {"province": "ANT"}, "province_code", "ANT", "Antwerpen"),
    ("lies", {"region": "LIM-NLI"}, "region_code", "LIM-NLI", "Noord-Limburg"),
]


def _int(text: str) -> int:
    return int(text.replace(".", ""))


@pytest.mark.parametrize(("name", "params", "column", "code", "place"), CASES)
def test_the_pack_is_what_the_screen_shows(
    signed_in, loaded, tmp_path, all_trajectories, name, params, column, code, place
):
    regions = {r["region_code"]: r for r in default_contract().reference_rows("regions")}
    people = all_trajectories.with_columns(
        province_code=pl.col("region_code").replace_strict(
            {k: r["province_code"] for k, r in regions.items()}
        )
    ).filter(pl.col(column) == code)
    at = signed_in(name, **params)
    ctx = at.session_state[_STATE_KEY]
    on_screen = _int(next(m.value for m in at.metric if m.label == "Bereikte personen"))
    assert on_screen == people.height

    con = connect_read_only(loaded[0] / "warehouse.duckdb")
    try:
        first = one_row(con.execute(load_sql("queries/data_dates")))[0]
        out = tmp_path / file_name(ctx.t("report.title"), ctx, "zip")
        pack = build_pack(con, out, **pack_arguments(ctx, first))
    finally:
        con.close()
    assert pack.headline["reached"] == on_screen
    gender_total = pack.participants.filter(
        pl.col("section") == "gender", pl.col("category") == "total"
    )["count"][0]
    assert gender_total == people.height
    readme = zipfile.ZipFile(out).read("README.txt").decode()
    assert place in readme and "heel Vlaanderen" not in readme
    assert code in out.name
