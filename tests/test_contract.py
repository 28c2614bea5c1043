"""The contract parses, and its documentation is generated from it, not written by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from werkpad.contract import contract_for, default_contract, load_contract, placements_contract
from werkpad.contract_docs import render_contract

EXPECTED_COLUMNS = [
    "extract_date",
    "project_code",
    "trajectory_id",
    "client_key",
    "region_code",
    "partner_code",
    "referral_source",
    "gender",
    "age_band",
    "education_level",
    "benefit_status",
    "mental_health",
    "addiction",
    "physical_disability",
    "migration_background",
    "reached_on",
    "exploration_started_on",
    "decision_on",
    "decision",
    "step_type",
    "trajectory_started_on",
    "job_started_on",
    "job_circuit",
    "employed_3m",
    "ended_on",
    "end_reason",
    "warm_handover",
]


def test_contract_has_the_v1_columns_in_order():
    assert default_contract().column_names == EXPECTED_COLUMNS


def test_committed_contract_docs_are_current():
    committed = Path("docs/data_contract.md").read_text(encoding="utf-8")
    assert committed == render_contract(), "run: werkpad contract > docs/data_contract.md"


def test_committed_placements_contract_docs_are_current():
    committed = Path("docs/placements_contract.md").read_text(encoding="utf-8")
    assert committed == render_contract(placements_contract()), (
        "run: werkpad contract placements > docs/placements_contract.md"
    )
    for column in placements_contract().columns:
        assert f"`{column.name}`" in committed


def test_each_file_name_finds_its_contract():
    """A trajectories name is never read as placements, nor the other way round."""
    found = contract_for("WIZ-ANT_placements_20231231.csv")
    assert found and found[0].name == "placements" and found[1].project_code == "WIZ-ANT"
    found = contract_for("WIZ-ANT_20231231.xlsx")
    assert found and found[0].name == "trajectories" and found[1].format == "xlsx"
    assert contract_for("WIZ-ANT_plaatsingen_20231231.csv") is None
    day = dt.date(2023, 12, 31)
    for contract in (default_contract(), placements_contract()):
        name = contract.file_name("JS-GEN", day, "csv")
        assert contract_for(name) is not None and contract_for(name)[0] is contract


def test_every_column_and_rule_is_documented():
    contract = default_contract()
    for column in contract.columns:
        assert len(column.description) > 15, column.name
    for rule in contract.rules:
        assert len(rule.description) > 15, rule.name


def test_a_rule_on_an_unknown_column_is_refused(tmp_path):
    spec = yaml.safe_load(Path("data_contracts/trajectories.yaml").read_text())
    spec["rules"].append({"name": "x", "description": "x", "when": "true", "columns": ["nope"]})
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(ValueError, match="unknown columns"):
        load_contract(path)


def test_file_names():
    contract = default_contract()
    parsed = contract.parse_file_name("WGTW-LIM_20231231.xlsx")
    assert (parsed.project_code, parsed.extract_date.isoformat(), parsed.format) == (
        "WGTW-LIM",
        "2023-12-31",
        "xlsx",
    )
    for bad in [
        "WGTW-LIM_20231331.csv",
        "wgtw-lim_20231231.csv",
        "WGTW-LIM-20231231.csv",
        "WGTW-LIM_20231231.txt",
    ]:
        assert contract.parse_file_name(bad) is None, bad
