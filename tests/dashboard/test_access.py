"""Who sees what: sign-in, scopes a link cannot widen, suppression for scoped roles."""

from __future__ import annotations

import datetime as dt
import json
import stat
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import APP as APP_FILE
from tests.dashboard.conftest import PASSWORD
from werkpad.access import User, UserFile, check_password, hash_password
from werkpad.cli import _streamlit_command
from werkpad.report_pack import build_pack
from werkpad.warehouse import connect_read_only

APP = str(APP_FILE)


def _reached(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Bereikte personen")


def test_user_file_keeps_hashes_only(users_file):
    raw = users_file.read_text()
    assert PASSWORD not in raw and "scrypt$" in raw
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600
    users = UserFile(users_file)
    assert users.authenticate("lies", PASSWORD).provinces == ("LIM",)
    assert users.authenticate("lies", "wrong password!") is None
    assert users.authenticate("nobody", PASSWORD) is None
    assert check_password("x", hash_password("y")) is False


def test_users_cli_list_remove_and_refusals(tmp_path):
    path = tmp_path / "u.json"
    cli = [sys.executable, "-m", "werkpad.cli", "users"]
    add = subprocess.run(
        [*cli, "add", "p", "--role", "project_lead", "--users", str(path), "--password-stdin"],
        input=PASSWORD,
        capture_output=True,
        text=True,
    )
    assert add.returncode == 2 and "province" in add.stderr  # a lead needs a scope
    funder = subprocess.run(
        [*cli, "add", "f", "--role", "funder", "--province", "ANT", "--users", str(path),
         "--password-stdin"],
        input=PASSWORD,
        capture_output=True,
        text=True,
    )  # fmt: skip
    # a funder sees all of Flanders: a province given would be stored and never applied
    assert funder.returncode == 2 and "all of Flanders" in funder.stderr
    assert "f" not in (json.loads(path.read_text()) if path.exists() else {})
    short = subprocess.run(
        [*cli, "add", "s", "--role", "steering", "--users", str(path), "--password-stdin"],
        input="short",
        capture_output=True,
        text=True,
    )
    assert short.returncode == 2
    UserFile(path).add(User("s", "steering", password_hash=hash_password(PASSWORD)))
    listed = subprocess.run([*cli, "list", "--users", str(path)], capture_output=True, text=True)
    assert listed.stdout.split() == ["s", "steering", "all"]
    assert subprocess.run([*cli, "remove", "s", "--users", str(path)]).returncode == 0
    assert json.loads(path.read_text()) == {}


def test_a_user_of_the_identity_provider_has_no_password(tmp_path):
    path = tmp_path / "u.json"
    cli = [sys.executable, "-m", "werkpad.cli", "users", "add", "lies@limburg.example"]
    run = subprocess.run(
        [
            *cli,
            "--role",
            "project_lead",
            "--province",
            "LIM",
            "--users",
            str(path),
            "--no-password",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    user = UserFile(path).load()["lies@limburg.example"]
    assert (user.role, user.provinces, user.password_hash) == ("project_lead", ("LIM",), "")
    assert UserFile(path).authenticate("lies@limburg.example", "") is None  # no local sign-in
    both = subprocess.run([*cli, "--role", "steering", "--no-password", "--password-stdin"])
    assert both.returncode == 2


def test_nobody_signed_in_sees_no_figure(signed_in):
    at = signed_in(None)
    assert not at.metric and not at.get("plotly_chart")
    assert at.text_input[0].label == "Gebruikersnaam"
    at = signed_in("lies", "not the password")
    assert not at.metric and any("klopt niet" in e.value for e in at.error)


def test_project_lead_cannot_leave_her_province(signed_in, all_trajectories):
    limburg = all_trajectories.filter(pl.col("project_code") == "WGTW-LIM").height
    at = signed_in("lies")
    assert _reached(at) == f"{limburg:,}".replace(",", ".")
    assert at.multiselect(key="province").options == ["Limburg"]
    for params in ({"province": "ANT"}, {"project": "WGTW-ANT"}, {"region": "ANT-KEM"}):
        at = signed_in("lies", **params)
        assert any("Ongeldige waarde" in w.value for w in at.warning)
        assert _reached(at) == f"{limburg:,}".replace(",", ".")


def test_funder_sees_small_counts_suppressed_steering_does_not(signed_in, all_trajectories):
    month = (
        all_trajectories.filter(pl.col("gender") == "X")
        .group_by(pl.col("reached_on").dt.truncate("1mo").alias("m"))
        .len()
        .filter(pl.col("len").is_between(1, 4))
        .sort("m")["m"][0]
    )
    end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    params = {"gender": "X", "period": "custom", "from": str(month), "to": str(end)}
    want = all_trajectories.filter(
        pl.col("gender") == "X", pl.col("reached_on").is_between(month, end)
    ).height
    assert 1 <= want <= 4
    funder = signed_in("fons", **params)
    assert not [m.value for m in funder.metric if m.value != "x"]  # no figure at all
    assert any("te klein om cijfers te tonen" in i.value for i in funder.info)
    assert _reached(signed_in("anna", **params)) == str(want)


def test_scoped_report_pack_holds_only_the_scope(loaded, tmp_path, all_trajectories):
    con = connect_read_only(loaded[0] / "warehouse.duckdb")
    try:
        pack = build_pack(
            con,
            tmp_path / "p.zip",
            dt.date(2021, 1, 1),
            dt.date(2023, 12, 31),
            scope={"scope_province": ["LIM"]},
        )
    finally:
        con.close()
    total = pack.participants.filter(pl.col("section") == "gender", pl.col("category") == "total")[
        "count"
    ][0]
    assert total == all_trajectories.filter(pl.col("project_code") == "WGTW-LIM").height


def test_app_safety():
    command = " ".join(_streamlit_command(Path("w.duckdb"), "127.0.0.1", 8501))
    assert "enableXsrfProtection" not in command and "enableCORS" not in command
    sources = "".join(p.read_text() for p in Path("werkpad").rglob("*.py"))
    assert "unsafe_allow_html" not in sources


@pytest.mark.parametrize("page", ["overview", "reach", "conversion", "referral", "outcomes"])
def test_every_page_renders_suppressed_figures(signed_in, page):
    at = signed_in("fons", gender="X", period="this_year")
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    for spec in (el.proto.spec for el in at.get("plotly_chart")):
        data = json.loads(spec)["data"]
        for trace in data:
            for axis in ("x", "y"):
                values = trace.get(axis) or []
                numbers = [
                    v for v in values if isinstance(v, int | float) and not isinstance(v, bool)
                ]
                if trace.get("meta") == "share":  # a share of a target (targets block)
                    continue
                if trace.get("type") in ("bar", "funnel") and axis == (
                    "x" if trace.get("orientation") == "h" or trace.get("type") == "funnel" else "y"
                ):
                    assert all(v == 0 or v >= 5 for v in numbers), (page, trace.get("type"))


def test_identity_provider_sign_in_is_offered_when_configured(loaded, monkeypatch):
    monkeypatch.setenv("WERKPAD_WAREHOUSE", str(loaded[0] / "warehouse.duckdb"))
    monkeypatch.delenv("WERKPAD_DEMO", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "test",
        "client_id": "werkpad",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known",
    }
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Aanmelden met uw organisatie-account"]
    assert not at.metric and not at.text_input  # no figures, no local password form


def test_project_lead_sees_only_her_bookkeeping(signed_in):
    at = signed_in("lies")
    at.switch_page("views/data_quality.py").run()
    assert not at.exception
    assert set(at.dataframe[0].value["Project"]) == {"WGTW-LIM"}
    assert set(at.dataframe[1].value["Project"].dropna()) == {"WGTW-LIM"}
    warnings = " ".join(w.value for w in at.warning)
    assert "WGTW-ANT" not in warnings


def test_funder_gets_no_partner_detail_nor_file_bookkeeping(signed_in):
    at = signed_in("fons")
    assert "partner" not in [m.key for m in at.multiselect]
    at.switch_page("views/reach.py").run()
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert not any("partner (top 20)" in title or "subregio" in title for title in titles)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/data_quality.py")  # not in the funder's navigation


def test_load_warnings_go_to_those_who_can_act_on_them(signed_in):
    """The sample has refused files: steering and leads are told, a funder is not."""
    warned = [w.value for w in signed_in("anna").warning]
    assert any("geweigerd" in w for w in warned)
    assert not any("geweigerd" in w.value for w in signed_in("fons").warning)
