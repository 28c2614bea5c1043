"""Sign-ins that last: a signed, expiring session cookie, kept and revoked on the server.

Steering members and funders work from shared and bookmarked links, so a reload or an opened
link must not ask for the password again. Streamlit runs a page over a websocket and cannot
set a cookie itself, so after a password sign-in the page swaps a one-time token (60 s, one
use, only in this server's memory) at `POST <base>/_werkpad/session` for the cookie; the
server answers with `Set-Cookie` (HttpOnly, SameSite=Lax, Secure behind HTTPS), so no script
ever sees the cookie. A new page load reads it back (st.context.cookies) and asks `user_of`.

The cookie is `<session id>.<expires>.<signature>`: an HMAC-SHA256 over id and expiry with a
key kept beside the user file (0600), so a cookie cannot be forged or stretched. The session
itself lives on the server (sessions.json beside the user file): it ends at sign-out (revoked
at once, on every tab), after SESSION_IDLE_SECONDS without use, or at expiry, whichever
comes first. Deleting sessions.json signs everyone out.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

from werkpad import config

COOKIE = "werkpad_session"
TOKEN_SECONDS = 60  # a token is fetched by the same page right after sign-in
PERSIST_EVERY = 60  # seconds between writes of last-use times (a sign-in/out writes at once)


class SessionStore:
    """Sessions of one user file's folder; thread-safe, shared by every browser session."""

    def __init__(self, folder: Path, clock: Callable[[], float] = time.time):
        self.path = folder / "sessions.json"
        self.key_path = folder / "session_key"
        self.clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str, float]] = {}  # token -> (user, expires)
        self._redeemed: dict[str, str] = {}  # token -> session id, to revoke at sign-out
        self._sessions: dict[str, dict] = self._read()
        self._written = self.clock()

    # -- the sign-in's side ---------------------------------------------------------------

    def grant(self, user: str) -> str:
        """A sign-in: the session starts now, held by the signing-in tab through this token,
        which the page also exchanges, once, for the cookie its reloads and links carry."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = self.clock()
            self._tokens = {k: v for k, v in self._tokens.items() if v[1] > now}
            sid = secrets.token_urlsafe(24)
            self._sessions[sid] = {"user": user, "created": now, "last_seen": now}
            self._tokens[token] = (sid, now + TOKEN_SECONDS)
            self._redeemed[token] = sid
            self._write()
        return token

    def redeem(self, token: str) -> str | None:
        """The cookie value for a token granted less than a minute ago, once; else None."""
        with self._lock:
            sid, expires = self._tokens.pop(token, ("", 0.0))
            now = self.clock()
            if not sid or expires < now or sid not in self._sessions:
                return None
            created = int(self._sessions[sid]["created"])
        return self._sign(sid, created + config.SESSION_MAX_SECONDS)

    def holds(self, token: str) -> bool:
        """Whether the tab that signed in with this token is still signed in: not signed
        out (on any tab), not idle too long, not past the session's maximum age; counts as
        use. Every rerun of that tab asks, as a reload asks with the cookie."""
        with self._lock:
            return self._alive(self._redeemed.get(token, ""))

    def revoke(self, token: str | None = None, cookie: str | None = None) -> None:
        """End the session made from this token or named by this cookie, on every tab."""
        with self._lock:
            sid = self._redeemed.pop(token, None) if token else None
            sid = sid or (self._verified(cookie) if cookie else None)
            if sid and self._sessions.pop(sid, None) is not None:
                self._write()

    # -- every page load's side -----------------------------------------------------------

    def user_of(self, cookie: str) -> str | None:
        """The signed-in user of a cookie, or None when it is forged, expired, revoked or
        idle too long; a valid one counts as use."""
        with self._lock:
            sid = self._verified(cookie) or ""
            return str(self._sessions[sid]["user"]) if self._alive(sid) else None

    # -- inside ---------------------------------------------------------------------------

    def _alive(self, sid: str) -> bool:
        """A live session (ended here when idle or too old); counts as use. Under the lock."""
        session = self._sessions.get(sid)
        if session is None:
            return False
        now = self.clock()
        idle = now - session["last_seen"] > config.SESSION_IDLE_SECONDS
        if idle or now - session["created"] > config.SESSION_MAX_SECONDS:
            del self._sessions[sid]
            self._write()
            return False
        session["last_seen"] = now
        if now - self._written > PERSIST_EVERY:
            self._write()
        return True

    def _sign(self, sid: str, expires: int) -> str:
        body = f"{sid}.{expires}"
        mac = hmac.new(self._key(), body.encode(), hashlib.sha256).hexdigest()
        return f"{body}.{mac}"

    def _verified(self, cookie: str) -> str | None:
        """The session id of a well-signed, unexpired cookie."""
        parts = cookie.split(".")
        if not cookie.isascii() or len(parts) != 3 or not parts[1].isdigit():
            return None  # a browser may send any text: only ASCII is compared, as bytes
        sid, expires, _ = parts
        if not hmac.compare_digest(self._sign(sid, int(expires)).encode(), cookie.encode()):
            return None
        return sid if int(expires) >= self.clock() else None

    def _key(self) -> bytes:
        if not self.key_path.exists():
            self.key_path.parent.mkdir(parents=True, exist_ok=True)
            _write_private(self.key_path, secrets.token_hex(32))
        return self.key_path.read_text(encoding="utf-8").strip().encode()

    def _read(self) -> dict[str, dict]:
        try:
            return dict(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {}  # no file yet, or a damaged one: nobody is signed in

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _write_private(self.path, json.dumps(self._sessions))
        self._written = self.clock()


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read, atomically."""
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


_STORES: dict[Path, SessionStore] = {}
_STORES_LOCK = threading.Lock()


def store(users_file: Path | None = None) -> SessionStore:
    """The session store beside the user file in use (one per folder, per process)."""
    folder = (users_file or config.USERS_FILE).parent
    with _STORES_LOCK:
        if folder not in _STORES:
            _STORES[folder] = SessionStore(folder)
        return _STORES[folder]
