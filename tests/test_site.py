"""A site is a folder of its own: programmes, projects, regions and partners as data.

A new site outside the repository, with a programme the code has never heard of, loads and
serves through `--site` alone; a partner added to the site's partners.csv is known from the
next load on, its ramp-up counted from the day it joined; the site gives the defaults of
--inbox, --warehouse and --quarantine, and explicit options win.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import polars as pl
import pytest
from pypdf import PdfReader

from werkpad.contract import default_contract
from werkpad.site import current_site, demo_site

WERKPAD = [sys.executable, "-m", "werkpad.cli"]
RELING = {
    "programmes.csv": [["programme_code", "name"], ["IPS", "IPS Jobcentrum Reling"]],
    "provinces.csv": [["province_code", "name"], ["LIM", "Limburg"]],
    "regions.csv": [
        ["region_code", "name", "province_code"],
        *[[f"WLI-{i}", f"West-Limburg {i}", "LIM"] for i in range(1, 5)],
    ],
    "projects.csv": [
        ["project_code", "name", "programme_code", "province_code", "start_date", "end_date"],
        ["RELING", "Jobcentrum Reling", "IPS", "LIM", "2014-01-01", "2014-12-31"],
    ],
    "partners.csv": [
        ["partner_code", "name", "partner_type", "province_code", "region_code", "joined_on",
         "left_on"],
        *[[f"REL-{i}", f"Partner {i}", "mental_health", "LIM", f"WLI-{i}", "2014-01-01", ""]
          for i in range(1, 5)],
    ],
}  # fmt: skip


def _write(folder: Path, tables: dict[str, list[list[str]]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)


def _werkpad(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("WERKPAD_SITE", "WERKPAD_USERS")}
    return subprocess.run(
        [*WERKPAD, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture
def in_site(monkeypatch):
    """Point this process at a site (the generator reads its reference), then back."""

    def use(root: Path) -> None:
        monkeypatch.setenv("WERKPAD_SITE", str(root))
        default_contract.cache_clear()

    yield use
    monkeypatch.delenv("WERKPAD_SITE", raising=False)
    default_contract.cache_clear()


def test_the_demo_site_is_the_default(monkeypatch):
    monkeypatch.delenv("WERKPAD_SITE", raising=False)
    assert current_site().root == demo_site()
    assert (demo_site() / "reference" / "partners.csv").is_file()


def test_a_new_site_with_its_own_programme_loads_and_serves(tmp_path, in_site):
    from sample_data.generator import generate
    from sample_data.writer import write_sample

    site = tmp_path / "reling"
    _write(site / "reference", RELING)
    _write(
        site,
        {
            "targets.csv": [
                ["project_code", "metric", "period_from", "period_to", "target"],
                ["RELING", "reached", "2014-01-01", "2014-12-31", "250"],
                ["RELING", "job_rate", "2014-01-01", "2014-12-31", "0,23"],
            ]
        },
    )
    (site / "site.yaml").write_text("name: Jobcentrum Reling\nlanguage: en\n", encoding="utf-8")
    in_site(site)
    frames = generate(233, 7, extract_date=dt.date(2014, 12, 31))
    write_sample(frames, site / "inbox", fmt="csv")
    loaded = _werkpad("load", "--site", str(site), "--json", cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert [f["status"] for f in json.loads(loaded.stdout)["files"]] == ["loaded"]
    assert (site / "warehouse.duckdb").is_file()  # the site's default warehouse
    shown = _werkpad("metrics", "--site", str(site), "--json", cwd=tmp_path)
    assert json.loads(shown.stdout)["reached"] == frames["RELING"].height == 233
    for programme, reached in (("IPS", 233), ("WGTW", 0)):  # the programme filter
        chosen = _werkpad("metrics", "--site", str(site), "--programme", programme, "--json",
                          cwd=tmp_path)  # fmt: skip
        assert json.loads(chosen.stdout)["reached"] == reached

    from streamlit.testing.v1 import AppTest

    os.environ["WERKPAD_WAREHOUSE"] = str(site / "warehouse.duckdb")
    os.environ["WERKPAD_DEMO"] = "1"
    try:
        app = AppTest.from_file(str(Path(__file__).parents[1] / "dashboard" / "app.py"))
        app.run(timeout=120)
    finally:
        os.environ.pop("WERKPAD_WAREHOUSE")
        os.environ.pop("WERKPAD_DEMO")
    assert not app.exception
    project = next(box for box in app.multiselect if box.key == "project")
    assert project.options == ["Jobcentrum Reling"]
    programme = next(box for box in app.multiselect if box.key == "programme")
    assert programme.options == ["IPS Jobcentrum Reling"]
    reached = app.metric[0].value
    assert reached == "233"
    assert app.session_state["lang"] == "en"  # the site's language (site.yaml)

    # it reports: its targets, and a pack with them, with no change to the code
    progress = _werkpad("progress", "--site", str(site), "--json", cwd=tmp_path)
    assert progress.returncode == 0, progress.stderr
    targets = {t["metric"]: t for t in json.loads(progress.stdout)["targets"]}
    assert targets["reached"]["actual"] == 233 and targets["reached"]["target"] == 250
    assert targets["job_rate"]["target"] == pytest.approx(0.23)
    pack = tmp_path / "reling.zip"
    report = _werkpad("report", "--site", str(site), "--period-from", "2014-01-01",
                      "--period-to", "2014-12-31", "--out", str(pack), cwd=tmp_path)  # fmt: skip
    assert report.returncode == 0, report.stderr
    with zipfile.ZipFile(pack) as files:
        assert "targets.xlsx" in files.namelist()
        text = " ".join(
            p.extract_text() for p in PdfReader(io.BytesIO(files.read("summary.pdf"))).pages
        )
    assert "Jobcentrum Reling" in text and "RELING · People reached" in " ".join(text.split())


def test_a_partner_added_to_the_site_is_known_from_the_next_load(tmp_path, in_site):
    """An extract naming a partner the site does not list is refused; once partners.csv
    lists it, the same file loads, and its trajectories count their ramp-up month from the
    day the partner joined."""
    from sample_data.generator import generate
    from sample_data.writer import write_sample

    site = tmp_path / "site"
    shutil.copytree(demo_site() / "reference", site / "reference")
    in_site(site)
    frame = generate(300, 3, projects=["WGTW-LIM"])["WGTW-LIM"]
    newcomer = frame.head(20).with_columns(
        partner_code=pl.lit("LIM-MLI-NEW9"), region_code=pl.lit("LIM-MLI")
    )
    frame = pl.concat([newcomer, frame.slice(20)])
    write_sample({"WGTW-LIM": frame}, site / "inbox", fmt="csv")
    kept = tmp_path / "kept"
    shutil.copytree(site / "inbox", kept)

    first = _werkpad("load", "--site", str(site), cwd=tmp_path)
    assert first.returncode == 3, first.stderr
    assert "partner_code.reference" in first.stdout + first.stderr

    with (site / "reference" / "partners.csv").open("a", encoding="utf-8") as handle:
        handle.write("LIM-MLI-NEW9,Nieuwe partner,welfare,LIM,LIM-MLI,2021-06-15,\n")
    for path in kept.iterdir():
        shutil.copy(path, site / "inbox" / path.name)
    second = _werkpad("load", "--site", str(site), cwd=tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr

    con = duckdb.connect(str(site / "warehouse.duckdb"), read_only=True)
    started = con.execute(
        "SELECT partnership_started_on FROM marts.dim_partners WHERE partner_code = ?",
        ["LIM-MLI-NEW9"],
    ).fetchone()
    assert started == (dt.date(2021, 6, 15),)
    months = con.execute(
        "SELECT reached_on, partner_month FROM marts.fct_trajectories WHERE partner_code = ?",
        ["LIM-MLI-NEW9"],
    ).fetchall()
    con.close()
    assert len(months) == 20
    for reached_on, month in months:  # independent count: calendar months since June 2021
        assert month == (reached_on.year - 2021) * 12 + reached_on.month - 6


def test_the_site_gives_the_paths_and_explicit_options_win(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(demo_site() / "reference", site / "reference")
    (site / "inbox").mkdir()
    elsewhere = tmp_path / "elsewhere.duckdb"
    run = _werkpad("load", "--site", str(site), "--warehouse", str(elsewhere), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert elsewhere.is_file() and not (site / "warehouse.duckdb").exists()
    missing = _werkpad("load", "--site", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert missing.returncode == 2 and "site folder does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr
    bare = _werkpad("load", cwd=tmp_path)
    assert bare.returncode == 2 and "--inbox or --site" in bare.stderr
