"""One place for paths, settings and thresholds.

Every threshold is a named constant with the reason it has its value. Paths can be moved with
environment variables so that cron, systemd and tests point the same code at other folders.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# A checkout holds pyproject.toml beside the packages; an installed wheel has no checkout.
CHECKOUT_DIR: Path | None = (
    PACKAGE_DIR.parent if (PACKAGE_DIR.parent / "pyproject.toml").is_file() else None
)


# Settings from the environment that could not be used: `werkpad` names them and stops (exit 2)
# before it does anything, instead of a traceback at import.
PROBLEMS: list[str] = []


def _setting(name: str, default: float, low: float, high: float) -> float:
    """A number from the environment within [low, high], else the default and a problem."""
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # NaN fails both
        PROBLEMS.append(f"{name} must be a number from {low:g} to {high:g}")
        return default
    return value


def asset(name: str) -> Path:
    """A top-level data folder of the product (`data_contracts`): the checkout's own, or the
    copy an installed wheel carries inside the werkpad package (`werkpad/_assets/<name>`,
    see pyproject.toml), so the code reads the same files from any working directory."""
    if CHECKOUT_DIR is not None and (CHECKOUT_DIR / name).is_dir():
        return CHECKOUT_DIR / name
    return Path(str(files("werkpad") / "_assets" / name))


CONTRACTS_DIR = Path(os.environ.get("WERKPAD_CONTRACTS_DIR") or asset("data_contracts"))
CONTRACT_FILE = CONTRACTS_DIR / "trajectories.yaml"
PLACEMENTS_CONTRACT_FILE = CONTRACTS_DIR / "placements.yaml"
METRICS_FILE = PACKAGE_DIR / "metrics" / "metrics.yaml"

# Build outputs (ignored by git): `build/` in a checkout; for an installed werkpad, the user's
# data folder, so `werkpad demo` works from any working directory.
BUILD_DIR = (
    CHECKOUT_DIR / "build"
    if CHECKOUT_DIR is not None
    else Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "werkpad"
)
# Where `werkpad demo` keeps its warehouse, inbox and quarantine.
DEMO_DIR = Path(os.environ.get("WERKPAD_DEMO_DIR") or BUILD_DIR / "demo")
DEFAULT_WAREHOUSE = Path(os.environ.get("WERKPAD_WAREHOUSE") or DEMO_DIR / "warehouse.duckdb")
# The local user file (hashed passwords, roles, scopes), for sites without an identity provider.
USERS_FILE = Path(os.environ.get("WERKPAD_USERS") or BUILD_DIR / "users.json")


def check_charts() -> bool:
    """Whether plotly checks every property of every chart as it is built. Off in use: the
    figures are made by werkpad.rendering.charts from our own frames, and the check took a
    third of a filter change's rerun (benchmarks/bench_browser.py). The tests turn it on
    (WERKPAD_CHECK_CHARTS=1, tests/conftest.py, inherited by the servers they start), so a
    wrong property name still fails there."""
    return os.environ.get("WERKPAD_CHECK_CHARTS") == "1"


# Report at most this many row numbers per failing rule: enough for a data steward to find the
# pattern in the source system, short enough to read.
MAX_ROWS_IN_REPORT = 10

# The dashboard warns when a project's last good load is older than this: the load runs
# nightly, so two missed nights mean something is wrong upstream.
STALE_AFTER_HOURS = 48

# Sample data: the We Go To Work documents report N = 3,585 people through exploration on
# 31/05/2023; this many trajectories gives about 3,600 through exploration by the end of 2023.
SAMPLE_DEFAULT_ROWS = 4_800
SAMPLE_DEFAULT_SEED = 20231231

# Small-count suppression for scoped roles: counts below this are withheld. 5 is the usual
# floor for small groups; raise it (WERKPAD_SUPPRESSION_THRESHOLD) for a more public site. The
# funder report pack uses 10 by default (`werkpad report --threshold`).
SUPPRESSION_THRESHOLD = int(_setting("WERKPAD_SUPPRESSION_THRESHOLD", 5, 2, 1000))
REPORT_THRESHOLD = 10
# A protected headline is cut from a table by every value of its filters and by quarter
# (werkpad.figures); protecting it costs about a second per hundred cells for the 17 counts
# on a first view (cached after), so a selection whose table holds more cells with people is
# withheld whole instead: a filter fewer, or a user's scope, brings it back.
MAX_PROTECTED_CELLS = 150

# Exit codes of `werkpad load`, documented in the README and --help.
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_REFUSED = 3
# The run itself could not go on (not a DuckDB warehouse, no permission, disk full, a bug):
# nothing was published; one line on stderr names the cause.
EXIT_ENVIRONMENT = 4

# A new snapshot with this share fewer rows than the live one is refused (`row_drop`) unless
# the data steward says it is right (`werkpad load --accept-drop PROJECT`): a truncated or
# half-exported file must not silently replace a project's figures. Projects shrink a little
# when partners clean up duplicates; a fifth of the people at once is not that.
MAX_ROW_DROP = _setting("WERKPAD_MAX_ROW_DROP", 0.20, 0.0, 1.0)

# An extract date later than today plus this many days is refused: such a file would supersede
# every real delivery of its project until that date. One day allows for time zones and an
# export made just after midnight.
FUTURE_EXTRACT_DAYS = 1

# Names an upload tool or an editor gives a file that is not finished or not meant for us:
# skipped and reported, never read. Partners upload under a temporary name, then rename.
TEMPORARY_NAMES = (
    "*.part",
    "*.filepart",  # WinSCP
    "*.partial",
    "*.tmp",
    "*.crdownload",  # Chrome
    "*.download",  # Safari
    "*.!ut",  # uTorrent-style clients
    "~$*",  # Office's lock files
    ".*",  # hidden: editors' swap files, rsync's .name.XXXXXX
)

# Limits a partner file must stay within; checked before it is parsed, so a hostile or broken
# file is refused by name instead of exhausting the server. A 1,000,000-row extract (the
# benchmark, benchmarks/bench_load.py) is about 212 MB as CSV, so each limit leaves it room.
# Largest file accepted at all: twice the 1M-row extract.
MAX_FILE_BYTES = 512 * 1024 * 1024
# Largest total an XLSX workbook may unpack to: a zip bomb unpacks to gigabytes from a megabyte,
# and the spreadsheet reader holds the unpacked sheet in memory.
MAX_XLSX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
# A workbook entry that unpacks to more than this many times its packed size is a zip bomb,
# not a spreadsheet: real sheet XML compresses 5 to 30 times. Entries unpacking to less than
# MIN_BYTES_FOR_RATIO are not judged on their ratio (tiny files compress oddly).
MAX_XLSX_COMPRESSION_RATIO = 200
MIN_BYTES_FOR_RATIO = 1024 * 1024
# Most data rows in one extract: twice the largest project the benchmark plans for.
MAX_ROWS = 2_000_000
# Most columns: the contract has 27; a few extra columns are refused by the suite, hundreds
# mean a wrong export (or a file built to make every query wide).
MAX_COLUMNS = 200
# Longest cell, in characters: codes, ids, dates and 64-character keys are far shorter; a
# longer cell is free text or an attempt to smuggle data past the checks.
MAX_CELL_CHARS = 1_000
# Characters allowed in a column name; any other makes the whole file refused before a query
# runs, so header text can never change the meaning of SQL (names are quoted as well).
HEADER_NAME_PATTERN = r"[A-Za-z0-9_ -]*"

# Password sign-in throttling (werkpad.access.SignInGuard). After this many failed sign-ins
# for one name within the window, that name is locked for the lockout time, the right
# password included: five is the usual allowance for typos, fifteen minutes makes guessing
# a four-digit PIN take weeks. One client address may fail this many times in the window
# across all names before it is locked too (guessing many names, one password each); twenty
# leaves room for an office behind one address where several people mistype.
SIGN_IN_MAX_FAILURES = 5
SIGN_IN_WINDOW_SECONDS = 15 * 60
SIGN_IN_LOCKOUT_SECONDS = 15 * 60
SIGN_IN_MAX_CLIENT_FAILURES = 20
# Failures of all clients together within the window before password sign-in pauses for
# everyone: a client address can be forged (X-Forwarded-For), so a password spray that forges
# a new one for every try is stopped here. A real site sees a handful of typos an hour.
SIGN_IN_MAX_SERVER_FAILURES = 100
# Names and addresses tracked at most; the oldest are forgotten first, so a flood of made-up
# names cannot fill the server's memory (each costs the flooder a scrypt check anyway).
SIGN_IN_MAX_TRACKED = 10_000
# A sign-in lasts across reloads and opened links (werkpad.sessions) until sign-out, until it
# has not been used for a working day (8 hours: the next morning asks again), or at the
# latest after two weeks, so a cookie left on a shared machine does not last for ever.
SESSION_IDLE_SECONDS = int(_setting("WERKPAD_SESSION_IDLE_HOURS", 8, 0.01, 14 * 24) * 3600)
SESSION_MAX_SECONDS = 14 * 24 * 3600

# Dashboard page settings, each with its reason:
# a bar chart of partners shows the largest this many: more bars are unreadable on a
# projector, and the full list is in the chart's CSV download;
TOP_PARTNERS = 20
# the ramp-up chart runs this many months since a partner's first contact: after 30 months
# few partners are left, so the line is noise;
RAMP_UP_MONTHS_SHOWN = 30
# the We Go To Work documents: about nine months of partnership before reach rose sharply;
# the ramp-up chart marks it;
RAMP_UP_MARK_MONTHS = 9
# the Data quality page lists the latest this many refused files (the rest are in the
# quarantine folder and the run log).
REFUSED_FILES_LISTED = 20
