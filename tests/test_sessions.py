"""Session cookies (werkpad.sessions): signed, expiring, idle-limited, revocable, one-time
tokens, private files, and kept across a server restart. An attacker's edits never sign in."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from werkpad import config
from werkpad.sessions import TOKEN_SECONDS, SessionStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _signed_in(folder: Path, clock: Clock, user: str = "anna") -> tuple[SessionStore, str]:
    store = SessionStore(folder, clock)
    cookie = store.redeem(store.grant(user))
    assert cookie is not None
    return store, cookie


def test_a_cookie_signs_in_until_revoked_on_every_tab(tmp_path, clock):
    store, cookie = _signed_in(tmp_path, clock)
    assert store.user_of(cookie) == "anna"
    store.revoke(cookie=cookie)
    assert store.user_of(cookie) is None


def test_a_token_works_once_and_briefly(tmp_path, clock):
    store = SessionStore(tmp_path, clock)
    token = store.grant("anna")
    assert store.redeem(token) is not None and store.redeem(token) is None
    late = store.grant("anna")
    clock.now += TOKEN_SECONDS + 1
    assert store.redeem(late) is None
    assert store.redeem("made-up") is None


def test_signing_out_with_the_token_revokes_the_cookie(tmp_path, clock):
    store = SessionStore(tmp_path, clock)
    token = store.grant("anna")
    cookie = store.redeem(token)
    assert cookie and store.user_of(cookie) == "anna"
    store.revoke(token=token)
    assert store.user_of(cookie) is None


def test_idle_and_expiry_end_a_session(tmp_path, clock):
    store, cookie = _signed_in(tmp_path, clock)
    clock.now += config.SESSION_IDLE_SECONDS - 60
    assert store.user_of(cookie) == "anna"  # in use: the idle clock starts again
    clock.now += config.SESSION_IDLE_SECONDS - 60
    assert store.user_of(cookie) == "anna"
    clock.now += config.SESSION_IDLE_SECONDS + 1
    assert store.user_of(cookie) is None
    store, cookie = _signed_in(tmp_path, clock)
    for _ in range(config.SESSION_MAX_SECONDS // config.SESSION_IDLE_SECONDS + 1):
        clock.now += config.SESSION_IDLE_SECONDS - 1
        store.user_of(cookie)
    assert store.user_of(cookie) is None  # used every day, still over at the latest expiry


def test_sessions_survive_a_restart_and_files_are_private(tmp_path, clock):
    _, cookie = _signed_in(tmp_path, clock)
    assert SessionStore(tmp_path, clock).user_of(cookie) == "anna"
    for name in ("sessions.json", "session_key"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert cookie.split(".")[0] in (tmp_path / "sessions.json").read_text()
    (tmp_path / "sessions.json").write_text("{not json")
    assert SessionStore(tmp_path, clock).user_of(cookie) is None  # damaged: nobody


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_no_edit_of_a_cookie_signs_in(tmp_path_factory, data):
    clock = Clock()
    store, cookie = _signed_in(tmp_path_factory.mktemp("s"), clock)
    # every draw is independent of the cookie (random per example), so examples replay
    at = data.draw(st.integers(0, 10_000)) % len(cookie)
    new = data.draw(st.characters(codec="ascii"))
    if new == cookie[at]:
        new = chr((ord(new) + 1) % 128)
    how = data.draw(st.integers(0, 3))
    edited = [cookie[:at] + new + cookie[at + 1 :], cookie[:at], cookie + new, new + cookie][how]
    assert store.user_of(edited) is None


def test_a_longer_expiry_cannot_be_written_in(tmp_path, clock):
    store, cookie = _signed_in(tmp_path, clock)
    sid, expires, mac = cookie.split(".")
    assert store.user_of(f"{sid}.{int(expires) * 2}.{mac}") is None
    other = SessionStore(tmp_path / "other", clock)  # another site's key
    assert other.user_of(cookie) is None


def test_the_tab_that_typed_the_password_is_signed_out_with_the_others(tmp_path, clock):
    """That tab never carries the cookie (it was set after its page loaded): it asks by its
    token. Sign-out on another tab, idleness and the maximum age end it too."""
    store = SessionStore(tmp_path, clock)
    token = store.grant("anna")
    cookie = store.redeem(token)
    assert cookie is not None and store.holds(token)
    store.revoke(cookie=cookie)  # signed out in a tab opened from a link
    assert not store.holds(token)

    idle = store.grant("anna")
    clock.now += config.SESSION_IDLE_SECONDS + 1
    assert not store.holds(idle)

    busy = store.grant("anna")
    for _ in range(config.SESSION_MAX_SECONDS // config.SESSION_IDLE_SECONDS + 1):
        clock.now += config.SESSION_IDLE_SECONDS - 1  # in use, never idle, yet too old
        alive = store.holds(busy)
    assert not alive
    assert not store.holds("made-up")


@settings(max_examples=200, deadline=None)
@given(
    sid=st.text(max_size=40),
    expires=st.text(st.characters(categories=("Nd",)), min_size=1, max_size=30),
    mac=st.text(max_size=70),
)
def test_any_cookie_text_a_browser_sends_signs_nobody_in_and_raises_nothing(
    tmp_path_factory, sid, expires, mac
):
    """Non-ASCII letters and digits included (an HMAC comparison of such text raised)."""
    store = SessionStore(tmp_path_factory.mktemp("s"), Clock())
    assert store.user_of(f"{sid}.{expires}.{mac}") is None
