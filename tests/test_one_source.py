"""A new category value or target-group flag needs only the contract: no Python change.

A copy of the contract gets a new `education_level` value (`doctorate`) and a new target-group
flag (`homeless`). An extract that uses both is loaded under that contract, in subprocesses
(the contract is read once per process, as in production). Then the dashboard (AppTest) offers
both as filter options and, filtered on them, shows the independently counted reach; and the
funder report pack lists both in its ESF+ table with the independent counts.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile

import polars as pl
import pytest
import yaml

from sample_data.generator import DEFAULT_EXTRACT_DATE
from werkpad.config import CHECKOUT_DIR
from werkpad.rendering.i18n import Translator

assert CHECKOUT_DIR is not None
PROJECT = "WGTW-WVL"  # a plain comma-separated sample
NEW_LEVEL, NEW_FLAG = "doctorate", "homeless"

DASHBOARD_PROBE = """
import json, sys
from streamlit.testing.v1 import AppTest
from dashboard import APP
at = AppTest.from_file(str(APP), default_timeout=120)
for key, value in json.loads(sys.argv[1]).items():
    at.query_params[key] = value
at.run()
assert not at.exception, [e.message for e in at.exception]
print(json.dumps({
    "options": {m.label: list(m.options) for m in at.multiselect},
    "metrics": {m.label: m.value for m in at.metric},
}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict:
    """A contract copy with the new value and flag, a warehouse loaded under it, and the
    independent counts of the extract that was loaded."""
    root = tmp_path_factory.mktemp("one_source")
    contracts = root / "data_contracts"
    shutil.copytree(CHECKOUT_DIR / "data_contracts", contracts)
    spec_file = contracts / "trajectories.yaml"
    spec = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    column = next(c for c in spec["columns"] if c["name"] == "education_level")
    column["values"].append(NEW_LEVEL)
    at = next(i for i, c in enumerate(spec["columns"]) if c.get("target_group")) + 1
    spec["columns"].insert(
        at,
        {"name": NEW_FLAG, "type": "boolean", "required": True, "target_group": True,
         "description": "Target group flag, homelessness."},
    )  # fmt: skip
    spec_file.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))

    extract = pl.read_csv(
        CHECKOUT_DIR / "sample_data" / "extracts" / f"{PROJECT}_{DEFAULT_EXTRACT_DATE:%Y%m%d}.csv",
        infer_schema=False,
    )
    row = pl.int_range(pl.len())
    extract = extract.with_columns(
        pl.when(row % 7 == 0)
        .then(pl.lit(NEW_LEVEL))
        .otherwise("education_level")
        .alias("education_level"),
        pl.when(row % 5 == 0).then(pl.lit("true")).otherwise(pl.lit("false")).alias(NEW_FLAG),
    )
    inbox = root / "inbox"
    inbox.mkdir()
    extract.write_csv(inbox / f"{PROJECT}_{DEFAULT_EXTRACT_DATE:%Y%m%d}.csv")
    env = os.environ | {
        "WERKPAD_CONTRACTS_DIR": str(contracts),
        "WERKPAD_WAREHOUSE": str(root / "warehouse.duckdb"),
        "WERKPAD_DEMO": "1",
    }
    werkpad = [sys.executable, "-m", "werkpad.cli"]
    subprocess.run(
        [*werkpad, "load", "--inbox", str(inbox), "--warehouse", str(root / "warehouse.duckdb")],
        env=env, check=True, capture_output=True, cwd=root, timeout=600,
    )  # fmt: skip
    return {
        "root": root,
        "env": env,
        "werkpad": werkpad,
        "level": (extract["education_level"] == NEW_LEVEL).sum(),
        "flag": (extract[NEW_FLAG] == "true").sum(),
        "both": ((extract["education_level"] == NEW_LEVEL) & (extract[NEW_FLAG] == "true")).sum(),
    }


def _int(text: str) -> int:
    return int(text.replace(".", "").replace(",", "").replace("\u202f", ""))


def test_the_dashboard_offers_and_counts_the_new_value_and_flag(site):
    probe = subprocess.run(
        [sys.executable, "-c", DASHBOARD_PROBE,
         json.dumps({"education_level": NEW_LEVEL, "target_group": NEW_FLAG, "lang": "en"})],
        env=site["env"], capture_output=True, text=True, cwd=CHECKOUT_DIR, timeout=600,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr[-2000:]
    shown = json.loads(probe.stdout.strip().splitlines()[-1])
    options = [o for values in shown["options"].values() for o in values]
    assert NEW_LEVEL in options and NEW_FLAG in options  # no label yet: the code is shown
    assert _int(shown["metrics"]["People reached"]) == site["both"]


def test_the_report_pack_lists_the_new_value_and_flag(site):
    out = site["root"] / "pack.zip"
    subprocess.run(
        [*site["werkpad"], "report", "--warehouse", str(site["root"] / "warehouse.duckdb"),
         "--period-from", "2021-01-01", "--period-to", "2023-12-31", "--out", str(out),
         "--threshold", "5", "--lang", "en"],
        env=site["env"], check=True, capture_output=True, cwd=site["root"], timeout=600,
    )  # fmt: skip
    with zipfile.ZipFile(out) as pack:
        text = pack.read("esf_participants.csv").decode("utf-8-sig")
    lines = [line for line in text.splitlines() if not line.lstrip('"').startswith("#")]
    table = list(csv.DictReader(lines))  # English: comma-separated, caption line skipped
    en = Translator("en")
    section, code, count = (en(f"column.{c}") for c in ("section", "category", "shown"))
    shown = {(r[section], r[code]): r for r in table}  # headers in words, as in the XLSX
    level = shown[en("report.section.education_level"), NEW_LEVEL]
    flag = shown[en("report.section.target_group"), NEW_FLAG]
    assert level[count] == str(site["level"]) and flag[count] == str(site["flag"])
