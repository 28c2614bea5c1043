"""Every page, every role, the selections that break dashboards: nobody, one person, and
everything withheld. No exception reaches the user and the page says, in words, why there is
nothing to draw (never a blank axis from -1 to 4).

The selections are found in the generator's frames (the `loaded` warehouse holds exactly
those), inside Limburg so the Limburg project lead may see them too.
"""

from __future__ import annotations

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from werkpad.access import OPERATIONAL_PAGES, User
from werkpad.contract import default_contract
from werkpad.rendering.i18n import Translator

ROLES = {"anna": User("anna", "steering"), "fons": User("fons", "funder"),
         "lies": User("lies", "project_lead", provinces=("LIM",))}  # fmt: skip
# filters every role has (funders have no region or partner filter)
KEYS = ["project_code", "referral_source", "gender", "age_group", "education_level"]


def _age_group() -> pl.Expr:
    rollup = default_contract().column("age_band").rollup
    return pl.col("age_band").replace_strict(rollup).alias("age_group")


def _limburg(all_trajectories: pl.DataFrame) -> pl.DataFrame:
    regions = {
        r["region_code"]: r["province_code"] for r in default_contract().reference_rows("regions")
    }
    return all_trajectories.with_columns(_age_group()).filter(
        pl.col("region_code").replace_strict(regions) == "LIM"
    )


def _selection_of_size(frame: pl.DataFrame, low: int, high: int) -> dict[str, str]:
    """URL parameters of a cell of KEYS with low..high people."""
    cells = frame.group_by(KEYS).len().filter(pl.col("len").is_between(low, high)).sort(KEYS)
    row = cells.row(0, named=True)
    return {"project": row["project_code"], "referral_source": row["referral_source"],
            "gender": row["gender"], "age_group": row["age_group"],
            "education_level": row["education_level"]}  # fmt: skip


@pytest.fixture(scope="module")
def selections(all_trajectories) -> dict[str, dict[str, str]]:
    limburg = _limburg(all_trajectories)
    empty = {"province": "LIM", "region": "LIM-NLI", "gender": "X", "age_group": "55+",
             "target_group": "physical_disability"}  # fmt: skip
    nobody = limburg.filter(
        pl.col("region_code") == "LIM-NLI",
        pl.col("gender") == "X",
        pl.col("age_group") == "55+",
        pl.col("physical_disability"),
    )
    assert nobody.height == 0, "the issue's empty selection must be empty in the test data"
    return {
        "empty": empty,
        "one_person": _selection_of_size(limburg, 1, 1),
        "withheld": _selection_of_size(limburg, 2, 4),
    }


def _texts(at: AppTest) -> str:
    parts = [*at.info, *at.warning, *at.markdown, *at.caption]
    return " ".join(str(p.value) for p in parts)


@pytest.mark.parametrize("name", list(ROLES))
@pytest.mark.parametrize("case", ["empty", "one_person", "withheld"])
def test_every_page_explains_an_edge_selection(signed_in, selections, name, case):
    t = Translator("nl")
    at = signed_in(name, **selections[case])
    for page in ROLES[name].pages:
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, [e.message for e in at.exception])
        if page in OPERATIONAL_PAGES:
            continue  # about files and submissions, not about the selection
        text = _texts(at)
        if page == "employers":  # placements, not people: this sample has none, and says so
            assert t("employers.none") in text and at.get("plotly_chart") == []
            continue
        if case == "empty":
            assert t("app.no_data") in text, page
        elif case == "withheld" and ROLES[name].suppressed:
            assert t("app.all_withheld") in text, page
        charts = at.get("plotly_chart")
        if case == "empty" or (case == "withheld" and ROLES[name].suppressed):
            assert charts == [], f"{page}: no chart is drawn without figures"
