"""Who sees what: users, roles, scopes, and the local user file with hashed passwords.

Roles:
- `steering`: everything, no suppression;
- `funder`: Flanders-wide and per-project aggregates, small counts always suppressed, no
  partner-level figures;
- `project_lead`: only the listed provinces and/or projects, small counts suppressed.

A scope is enforced in the query layer: `scope_filters` gives conditions that every query adds
(with AND) to whatever the page or the URL asks, so editing a link cannot widen it.

Passwords are hashed with scrypt (memory-hard, in the standard library) with a random salt per
user; the file never holds a password. Sites with an identity provider use Streamlit's
`st.login` (OIDC) and this file only maps e-mail addresses to roles.

Password sign-in goes through `sign_in`, which resists guessing: a name is locked for a while
after a few failures, and so is a client address that fails too often across names. Every
attempt runs exactly one scrypt check (against a dummy hash for a name that does not exist or
is locked), so the answer and the time taken say nothing about whether a name exists.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from werkpad import config

log = logging.getLogger(__name__)

ROLES = ("steering", "funder", "project_lead")
# The dashboard's pages, in menu order. Operational pages name files, partners and load
# problems: for the people who can act on them, not for funders (aggregates only).
PAGES = ("overview", "reach", "conversion", "referral", "outcomes", "employers", "data_quality",
         "revisions")  # fmt: skip
OPERATIONAL_PAGES = frozenset({"data_quality", "revisions"})
# scrypt cost: 2**14 x 8 x 128 bytes = 16 MB and about 50 ms per check, the usual interactive
# setting; slow enough to hurt guessing, fast enough for a login form.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


@dataclass(frozen=True)
class User:
    """A user with a role and, for a project lead, the provinces and projects they may see."""

    name: str
    role: str
    provinces: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    password_hash: str = field(default="", repr=False)

    @property
    def suppressed(self) -> bool:
        """Scoped roles see small counts suppressed."""
        return self.role != "steering"

    @property
    def partner_detail(self) -> bool:
        return self.role != "funder"

    @property
    def pages(self) -> tuple[str, ...]:
        """The pages this user may open, in menu order."""
        return tuple(p for p in PAGES if self.partner_detail or p not in OPERATIONAL_PAGES)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    encode = base64.b64encode
    return (
        f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encode(salt).decode()}${encode(digest).decode()}"
    )


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def scope_filters(user: User) -> dict[str, list[str]]:
    """Conditions every query of this user carries (see werkpad.metrics.FILTERS)."""
    scope = {}
    if user.role == "project_lead":
        scope["scope_province"] = list(user.provinces)
        scope["scope_project"] = list(user.projects)
    return {k: v for k, v in scope.items() if v}


class UserFile:
    """The local user file (JSON), written atomically with owner-only permissions."""

    def __init__(self, path: Path):
        self.path = path

    def load(self) -> dict[str, User]:
        if not self.path.exists():
            return {}
        raw = json.loads(self.path.read_text(encoding="utf-8"))
        return {
            name: User(
                name=name,
                role=u["role"],
                provinces=tuple(u.get("provinces", ())),
                projects=tuple(u.get("projects", ())),
                password_hash=u.get("password_hash", ""),
            )
            for name, u in raw.items()
        }

    def save(self, users: dict[str, User]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = {
            name: {k: v for k, v in asdict(u).items() if k != "name"}
            for name, u in sorted(users.items())
        }
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(body, indent=2), encoding="utf-8")
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)

    def add(self, user: User) -> None:
        if user.role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if user.role == "project_lead" and not (user.provinces or user.projects):
            raise ValueError("a project lead needs at least one --province or --project")
        if user.role != "project_lead" and (user.provinces or user.projects):
            # a scope that is stored but never applied would promise what it does not do
            raise ValueError(
                f"a {user.role} sees all of Flanders: --province and --project are for a "
                "project lead"
            )
        users = self.load()
        users[user.name] = user
        self.save(users)

    def remove(self, name: str) -> bool:
        users = self.load()
        if users.pop(name, None) is None:
            return False
        self.save(users)
        return True

    def authenticate(self, name: str, password: str) -> User | None:
        user = self.load().get(name)
        if user and check_password(password, user.password_hash):
            return user
        return None


@cache
def _dummy_hash() -> str:
    """A hash no password matches, checked for unknown names so they cost the same scrypt."""
    return hash_password(secrets.token_urlsafe(32))


class SignInGuard:
    """Failed sign-ins per name and per client address, shared by all sessions of the server.

    Kept in memory, not in a file: the dashboard is one server process, an attacker cannot
    restart it, and a file would need the server to write next to the user file. A restart
    (a deploy) forgets the counts, which is the same as a lockout running out.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._lock = threading.Lock()
        # key -> (failure times within the window, locked until); newest keys last
        self._names: OrderedDict[str, tuple[list[float], float]] = OrderedDict()
        self._clients: OrderedDict[str, tuple[list[float], float]] = OrderedDict()
        # all failures together: the client address comes from X-Forwarded-For where a proxy
        # (or an attacker without one) sets it, so a spray that changes it every time is
        # still slowed down, at the cost that it can pause password sign-in for everyone
        self._server: OrderedDict[str, tuple[list[float], float]] = OrderedDict()

    def locked(self, name: str, client: str) -> bool:
        """Whether this name, or this client address, may not try now (or nobody may)."""
        with self._lock:
            now = self.clock()
            return any(
                self._state(table, key, now)[1] > now
                for table, key in (
                    (self._names, name),
                    (self._clients, client),
                    (self._server, ""),
                )
            )

    def failed(self, name: str, client: str) -> None:
        """Count a wrong password; the last allowed failure locks the name (or the client)."""
        with self._lock:
            now = self.clock()
            for table, key, most in (
                (self._names, name, config.SIGN_IN_MAX_FAILURES),
                (self._clients, client, config.SIGN_IN_MAX_CLIENT_FAILURES),
                (self._server, "", config.SIGN_IN_MAX_SERVER_FAILURES),
            ):
                failures, until = self._state(table, key, now)
                failures = [*failures, now]
                if len(failures) >= most:
                    failures, until = [], now + config.SIGN_IN_LOCKOUT_SECONDS
                table[key] = (failures, until)
                table.move_to_end(key)
                while len(table) > config.SIGN_IN_MAX_TRACKED:
                    table.popitem(last=False)

    def succeeded(self, name: str) -> None:
        """A right password outside a lockout: the name's earlier typos are forgiven."""
        with self._lock:
            self._names.pop(name, None)

    @staticmethod
    def _state(table: OrderedDict, key: str, now: float) -> tuple[list[float], float]:
        failures, until = table.get(key, ([], 0.0))
        recent = [at for at in failures if at > now - config.SIGN_IN_WINDOW_SECONDS]
        return recent, until


GUARD = SignInGuard()  # one per server process: every session signs in through it


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the user, or None; `locked` says to come back later."""

    user: User | None
    locked: bool = False


def sign_in(
    users: UserFile, name: str, password: str, client: str, guard: SignInGuard | None = None
) -> SignIn:
    """Check a password, throttled per name and per client; never says whether a name exists.

    Every call runs one scrypt check (on a dummy hash when the name is unknown, has no
    password, or is locked), so the time taken is the same in every case. Failures are logged
    with the name only, never the password.
    """
    guard = guard or GUARD
    locked = guard.locked(name, client)
    user = users.load().get(name)
    usable = user is not None and bool(user.password_hash) and not locked
    known = user.password_hash if user is not None and usable else _dummy_hash()
    right = check_password(password, known) and usable
    if locked:
        log.warning("sign-in refused: name %r is locked or its client is throttled", name)
        return SignIn(None, locked=True)
    if not right:
        guard.failed(name, client)
        log.warning("sign-in failed for name %r", name)
        return SignIn(None, locked=guard.locked(name, client))
    guard.succeeded(name)
    return SignIn(user)
