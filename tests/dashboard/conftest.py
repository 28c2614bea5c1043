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
    """A steering member, a funder and a Limburg project lead, made with the real CLI."""
    path = tmp_path_factory.mktemp("users") / "users.json"
    for name, extra in (
        ("anna", ["--role", "steering"]),
        ("fons", ["--role", "funder"]),
        ("lies", ["--role", "project_lead", "--province", "LIM"]),
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


@pytest.fixture
def signed_in(loaded, users_file, monkeypatch):
    monkeypatch.setenv("WERKPAD_WAREHOUSE", str(loaded[0] / "warehouse.duckdb"))
    monkeypatch.setenv("WERKPAD_USERS", str(users_file))
    monkeypatch.delenv("WERKPAD_DEMO", raising=False)
    monkeypatch.setattr("werkpad.config.USERS_FILE", users_file)

    def run(name: str | None, password: str = PASSWORD, **params) -> AppTest:
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

    return run
