"""Signed-in AppTest sessions for the dashboard tests: a user file made with the real CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import APP as APP_FILE

APP = str(APP_FILE)
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def users_file(tmp_path_factory) -> Path:
    """A steering member, a funder and project leads of Limburg and of Antwerp, made with
    the real CLI."""
    path = tmp_path_factory.mktemp("users") / "users.json"
    for name, extra in (
        ("anna", ["--role", "steering"]),
        ("fons", ["--role", "funder"]),
        ("lies", ["--role", "project_lead", "--province", "LIM"]),
        ("piet", ["--role", "project_lead", "--province", "ANT"]),
    ):
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "werkpad.cli",
                "users",
                "add",
                name,
                *extra,
                "--users",
                str(path),
                "--password-stdin",
            ],
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stderr
    return path


def open_app(
    monkeypatch: pytest.MonkeyPatch,
    warehouse: Path,
    users_file: Path | None = None,
    name: str | None = None,
    password: str = PASSWORD,
    demo: bool = False,
    **params: str,
) -> AppTest:
    """The app on `warehouse`, opened with `params` in its URL, then signed in as `name`
    (none: left at the sign-in form, or, with `demo`, the demo site's steering view)."""
    monkeypatch.setenv("WERKPAD_WAREHOUSE", str(warehouse))
    if users_file is not None:
        monkeypatch.setenv("WERKPAD_USERS", str(users_file))
        monkeypatch.setattr("werkpad.config.USERS_FILE", users_file)
    if demo:
        monkeypatch.setenv("WERKPAD_DEMO", "1")
    else:
        monkeypatch.delenv("WERKPAD_DEMO", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if name:
        at.text_input[0].input(name)
        at.text_input[1].input(password)
        at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture
def signed_in(loaded, users_file, monkeypatch):
    warehouse = loaded[0] / "warehouse.duckdb"

    def run(name: str | None, password: str = PASSWORD, **params) -> AppTest:
        return open_app(monkeypatch, warehouse, users_file, name, password, **params)

    return run
