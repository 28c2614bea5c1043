"""The site: one programme organisation's folder of reference data, targets and settings.

A province or a city that runs werkpad keeps its own programmes, projects, regions, partners
and targets in a folder (`--site DIR` or WERKPAD_SITE), never in the code:

    DIR/site.yaml                 optional settings
    DIR/reference/<table>.csv     programmes, projects, provinces, regions, partners
    DIR/targets.csv               targets per project and metric
    DIR/inbox, DIR/quarantine, DIR/warehouse.duckdb, DIR/users.json   (defaults)

Without one, werkpad uses the demo site committed under `sample_data/site/`. The reference
files are checked against their contracts (`data_contracts/reference/`) by every load
(pipelines.reference) before any extract is.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from werkpad import config


def demo_site() -> Path:
    """The demo site shipped with werkpad (a checkout's or an installed wheel's)."""
    return Path(str(files("sample_data") / "site"))


@dataclass(frozen=True)
class Site:
    """Where a site's files are; `werkpad --site DIR` or WERKPAD_SITE, else the demo site."""

    root: Path

    @property
    def reference_dir(self) -> Path:
        return self.root / "reference"

    def reference_file(self, table: str) -> Path:
        return self.reference_dir / f"{table}.csv"

    @property
    def targets_file(self) -> Path:
        return self.root / "targets.csv"

    @property
    def settings_file(self) -> Path:
        return self.root / "site.yaml"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def users(self) -> Path:
        return self.root / "users.json"


def current_site() -> Site:
    """The site in use: WERKPAD_SITE (set by `--site`), else the demo site."""
    chosen = os.environ.get("WERKPAD_SITE")
    return Site(Path(chosen).resolve() if chosen else demo_site())


class SiteSettingsError(ValueError):
    """site.yaml cannot be used: the message names the file, the key and the rule."""


@dataclass(frozen=True)
class StatusBands:
    """How far a count target's achievement may trail or lead the elapsed share of its period
    before its status changes (issue 11's defaults; a site may agree others with its funder)."""

    behind: float = 0.25  # achievement < elapsed share - behind: behind
    at_risk: float = 0.10  # achievement < elapsed share - at_risk: at risk
    above: float = 0.10  # achievement > elapsed share + above: above


@dataclass(frozen=True)
class Settings:
    """A site's own settings from site.yaml; every key optional, the product's defaults else."""

    name: str = "werkpad"
    language: str = "nl"
    suppression_threshold: int = 5
    report_threshold: int = 10
    stale_after_hours: float = 48.0
    bands: StatusBands = StatusBands()


# key -> (type, low, high): what site.yaml may say, and the range a value must lie in
_NUMBERS = {
    # a site may raise the product's floor of 5 for a more public dashboard, never lower it
    "suppression_threshold": (int, 5, 1000),
    "report_threshold": (int, 2, 1000),
    "stale_after_hours": (float, 1, 24 * 366),
}
_BANDS = ("behind", "at_risk", "above")
_LANGUAGES = ("nl", "fr", "en")


def read_settings(site: Site, defaults: Settings) -> Settings:
    """The site's settings: site.yaml over the product's defaults (see config), checked, so
    a wrong value stops a command with the key and the rule instead of publishing with it."""
    path = site.settings_file
    if not path.is_file():
        return defaults
    try:
        spec = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_UniqueKeys) or {}
    except _TwiceSet as error:
        raise SiteSettingsError(f"{path}: {error} is set twice") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise SiteSettingsError(f"{path}: not readable YAML ({type(error).__name__})") from None
    if not isinstance(spec, dict):
        raise SiteSettingsError(f"{path}: must be a mapping of settings")
    unknown = sorted(set(map(str, spec)) - {"name", "language", "bands", *_NUMBERS})
    if unknown:
        raise SiteSettingsError(f"{path}: unknown setting {unknown[0]!r}")
    values: dict[str, Any] = {}
    if "name" in spec:
        values["name"] = _text(path, "name", spec["name"])
    if "language" in spec:
        if spec["language"] not in _LANGUAGES:
            raise SiteSettingsError(f"{path}: language must be one of {', '.join(_LANGUAGES)}")
        values["language"] = spec["language"]
    for key, (kind, low, high) in _NUMBERS.items():
        if key in spec:
            values[key] = _number(path, key, spec[key], kind, low, high)
    if "bands" in spec:
        values["bands"] = _bands(path, spec["bands"])
    settings = replace(defaults, **values)
    if settings.report_threshold < settings.suppression_threshold:
        raise SiteSettingsError(
            f"{path}: report_threshold must be at least suppression_threshold "
            "(a report pack never shows what the dashboard withholds)"
        )
    return settings


class _TwiceSet(ValueError):
    """A key given twice in one mapping: YAML would silently keep the last."""


class _UniqueKeys(yaml.SafeLoader):
    """The safe loader, refusing a key given twice (`suppression_threshold: 5` then `: 3`)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        twice = [k for i, k in enumerate(keys) if k in keys[:i]]
        if twice:
            raise _TwiceSet(str(twice[0]))
        return super().construct_mapping(node, deep=deep)


def _text(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not 0 < len(value.strip()) <= 80:
        raise SiteSettingsError(f"{path}: {key} must be a text of 1 to 80 characters")
    return value.strip()


def _number(path: Path, key: str, value: Any, kind: type, low: float, high: float) -> Any:
    whole = isinstance(value, int) and not isinstance(value, bool)
    if kind is int and not whole or kind is float and not (whole or isinstance(value, float)):
        raise SiteSettingsError(f"{path}: {key} must be a {'whole ' if kind is int else ''}number")
    if not low <= value <= high:  # NaN fails too
        raise SiteSettingsError(f"{path}: {key} must be from {low:g} to {high:g}")
    return kind(value)


def _bands(path: Path, spec: Any) -> StatusBands:
    if not isinstance(spec, dict) or set(map(str, spec)) - set(_BANDS):
        raise SiteSettingsError(f"{path}: bands may only set {', '.join(_BANDS)}")
    values = {k: _number(path, f"bands.{k}", v, float, 0, 1) for k, v in spec.items()}
    bands = replace(StatusBands(), **values)
    if bands.at_risk > bands.behind:
        raise SiteSettingsError(f"{path}: bands.at_risk must not exceed bands.behind")
    return bands


def current_settings() -> Settings:
    """The settings of the site in use, read again when site.yaml changes (a running dashboard
    takes an edit without a restart)."""
    site = current_site()
    try:
        stamp = site.settings_file.stat().st_mtime_ns
    except OSError:
        stamp = None
    return _settings_of(site, stamp)


@functools.lru_cache(maxsize=8)
def _settings_of(site: Site, stamp: int | None) -> Settings:
    defaults = Settings(
        suppression_threshold=config.SUPPRESSION_THRESHOLD,
        report_threshold=max(config.REPORT_THRESHOLD, config.SUPPRESSION_THRESHOLD),
        stale_after_hours=float(config.STALE_AFTER_HOURS),
    )
    return read_settings(site, defaults)
