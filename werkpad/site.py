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

import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path


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
