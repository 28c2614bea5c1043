"""Password sign-in resists guessing: lockout per name and per client address, the same answer
and the same work whether a name exists or not, every failure logged without the password."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from dashboard import APP as APP_FILE
from werkpad import access, config
from werkpad.access import SignInGuard, User, UserFile, hash_password, sign_in

APP = str(APP_FILE)
PASSWORD = "correct horse battery staple"
WINDOW = config.SIGN_IN_WINDOW_SECONDS
MOST = config.SIGN_IN_MAX_FAILURES


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def users(tmp_path_factory) -> UserFile:
    """Anna with a password; Lies from the identity provider, with none."""
    file = UserFile(tmp_path_factory.mktemp("users") / "users.json")
    file.add(User("anna", "steering", password_hash=hash_password(PASSWORD)))
    file.add(User("lies", "project_lead", provinces=("LIM",)))
    return file


class FastUsers:
    """A user file whose only user, anna, has the cheap hash 'H' (see fast_checks)."""

    def load(self) -> dict[str, User]:
        return {"anna": User("anna", "steering", password_hash="H")}


def _fast_check(password: str, stored: str) -> bool:
    return stored == "H" and password == PASSWORD


# one attempt: which name, the right password or not, which client, seconds since the last
attempts = st.lists(
    st.tuples(
        st.sampled_from(["anna", "nobody"]),
        st.booleans(),
        st.sampled_from(["10.0.0.1", "10.0.0.2"]),
        st.integers(0, 400),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(attempts)
def test_no_more_than_five_failures_per_name_are_checked_in_any_window(steps):
    clock = Clock()
    guard = SignInGuard(clock)
    checked: dict[str, list[float]] = {"anna": [], "nobody": []}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(access, "check_password", _fast_check)
        patch.setattr(access, "_dummy_hash", lambda: "dummy")
        for name, right, client, wait in steps:
            clock.now += wait
            locked = guard.locked(name, client)
            result = sign_in(FastUsers(), name, PASSWORD if right else "guess", client, guard)
            if locked:  # the right password included
                assert result.user is None and result.locked
                continue
            assert (result.user is not None) == (right and name == "anna")
            if result.user is None:
                checked[name].append(clock.now)
            else:
                checked[name].clear()  # a success forgives earlier typos
            recent = [at for at in checked[name] if at > clock.now - WINDOW]
            assert len(recent) <= MOST


@settings(max_examples=100, deadline=None)
@given(attempts)
def test_known_and_unknown_names_give_the_same_answers(steps):
    answers = []
    for name in ("anna", "nobody"):
        clock, seen = Clock(), []
        guard = SignInGuard(clock)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(access, "check_password", _fast_check)
            patch.setattr(access, "_dummy_hash", lambda: "dummy")
            for _, _, client, wait in steps:
                clock.now += wait
                seen.append(sign_in(FastUsers(), name, "guess", client, guard))
        answers.append(seen)
    assert answers[0] == answers[1]


def test_the_right_password_is_refused_while_locked_and_works_after(users):
    clock = Clock()
    guard = SignInGuard(clock)
    for _ in range(MOST):
        assert sign_in(users, "anna", "guess", "10.0.0.1", guard).user is None
    assert sign_in(users, "anna", PASSWORD, "10.0.0.9", guard) == access.SignIn(None, True)
    clock.now += config.SIGN_IN_LOCKOUT_SECONDS - 1
    assert sign_in(users, "anna", PASSWORD, "10.0.0.9", guard).user is None
    clock.now += 2
    assert sign_in(users, "anna", PASSWORD, "10.0.0.9", guard).user.name == "anna"


def test_a_client_guessing_many_names_is_throttled(users):
    guard = SignInGuard(Clock())
    for i in range(config.SIGN_IN_MAX_CLIENT_FAILURES):
        sign_in(users, f"name{i}", "guess", "10.0.0.1", guard)
    assert sign_in(users, "anna", PASSWORD, "10.0.0.1", guard).locked
    assert sign_in(users, "anna", PASSWORD, "10.0.0.2", guard).user.name == "anna"


def test_a_spray_that_forges_a_new_client_address_every_time_is_stopped(users, monkeypatch):
    """X-Forwarded-For is the client's to set where no proxy overwrites it: a spray with a
    new address and a new name on every try still meets the server-wide limit."""
    monkeypatch.setattr(config, "SIGN_IN_MAX_SERVER_FAILURES", 30)
    guard = SignInGuard(Clock())
    said = [sign_in(users, f"name{i}", "guess", f"198.51.100.{i}", guard) for i in range(30)]
    assert [s.locked for s in said] == [False] * 29 + [True]  # the 30th failure locks
    assert sign_in(users, "anna", PASSWORD, "203.0.113.9", guard).locked


@pytest.mark.parametrize(
    "name, password, locked",
    [
        ("anna", PASSWORD, False),
        ("anna", "guess", False),
        ("nobody", "guess", False),
        ("lies", "", False),  # a user of the identity provider has no password here
        ("anna", PASSWORD, True),
    ],
)
def test_every_attempt_costs_exactly_one_scrypt(users, monkeypatch, name, password, locked):
    access._dummy_hash()  # made once per process, not per attempt
    guard = SignInGuard(Clock())
    for _ in range(MOST if locked else 0):
        sign_in(users, name, "guess", "10.0.0.1", guard)
    calls = []
    real = access.hashlib.scrypt
    monkeypatch.setattr(access.hashlib, "scrypt", lambda *a, **k: calls.append(1) or real(*a, **k))
    sign_in(users, name, password, "10.0.0.1", guard)
    assert len(calls) == 1


def test_failures_are_logged_by_name_never_the_password(users, caplog):
    guard = SignInGuard(Clock())
    with caplog.at_level(logging.WARNING, logger="werkpad.access"):
        for _ in range(MOST + 1):
            sign_in(users, "anna", "hunter2-secret", "10.0.0.1", guard)
    assert len(caplog.records) == MOST + 1
    assert all("anna" in r.getMessage() for r in caplog.records)
    assert "hunter2-secret" not in caplog.text


def test_the_login_form_locks_a_name_after_five_failures(loaded, users, monkeypatch):
    monkeypatch.setenv("WERKPAD_WAREHOUSE", str(loaded[0] / "warehouse.duckdb"))
    monkeypatch.delenv("WERKPAD_DEMO", raising=False)
    monkeypatch.setattr("werkpad.config.USERS_FILE", users.path)
    monkeypatch.setattr(access, "GUARD", SignInGuard())
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    for attempt in range(MOST + 1):
        at.text_input[0].input("anna")
        at.text_input[1].input("guess" if attempt < MOST else PASSWORD)
        at.button[0].click().run()
        assert not at.exception
    assert not at.metric
    assert any("Te veel mislukte aanmeldpogingen" in e.value for e in at.error)
    fresh = AppTest.from_file(APP, default_timeout=120)  # another session: locked too
    fresh.run()
    fresh.text_input[0].input("anna")
    fresh.text_input[1].input(PASSWORD)
    fresh.button[0].click().run()
    assert not fresh.metric and any("Te veel" in e.value for e in fresh.error)
