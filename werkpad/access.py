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
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROLES = ("steering", "funder", "project_lead")
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
