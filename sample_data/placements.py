"""Sample placements with employers (data_contracts/placements.yaml, issue 13).

Made from a project's generated trajectories, so every placement belongs to a trajectory of
the same extract and starts on or after its first contact, and shaped by the project's
`placements` profile in sample_data/programmes.yaml (who is placed, how often, with what
kind of employer, for how long). Employers form a network: a placement goes, with the
profile's `repeat` chance, to an employer that took a participant before (the more
placements it took, the likelier), else to a new one; so Werk-in-zicht's network grows from
a handful of companies, as its seed document describes. Each project draws from its own
random stream, so tuning one never changes another's sample.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
import yaml

from sample_data.generator import PROGRAMMES_FILE
from werkpad.contract import Contract, placements_contract

HIRED_WITHIN_DAYS = 91  # "hired by the same employer within 3 months of the end"
OTHER_ENDINGS = {  # how a placement ends when the employer does not hire
    "completed": 0.70,
    "stopped_by_participant": 0.15,
    "stopped_by_employer": 0.08,
    "other": 0.07,
}


def placement_profiles() -> dict[str, dict[str, Any]]:
    """Project code -> how its placements look (programmes.yaml `placements`)."""
    return yaml.safe_load(PROGRAMMES_FILE.read_text(encoding="utf-8")).get("placements", {})


def generate_placements(
    trajectories: dict[str, pl.DataFrame], seed: int
) -> dict[str, pl.DataFrame]:
    """Typed placements per project code, for the projects with a profile and trajectories."""
    profiles = placement_profiles()
    return {
        code: _project_placements(code, frame, profiles[code], seed)
        for code, frame in trajectories.items()
        if code in profiles and frame.height
    }


@dataclass
class _Employer:
    key: str
    sector: str
    size: str
    economy: str
    region_code: str
    placements: int = 0


def _project_placements(
    code: str, frame: pl.DataFrame, profile: dict[str, Any], seed: int
) -> pl.DataFrame:
    rng = np.random.default_rng([seed, *b"placements", *code.encode()])
    contract = placements_contract()
    extract: dt.date = frame["extract_date"][0]
    starts = _starts(rng, frame, profile, extract)
    network = _Network(rng, code, profile, _regions(frame))
    rows = []
    for n, (trajectory_id, started_on, kind) in enumerate(starts, start=1):
        employer = network.employer(kind)
        rows.append(
            {
                "placement_id": f"{code}-P{n:06d}",
                "trajectory_id": trajectory_id,
                "employer_key": employer.key,
                "employer_sector": employer.sector,
                "employer_size": employer.size,
                "employer_economy": employer.economy,
                "employer_region_code": employer.region_code,
                "placement_type": kind,
                "started_on": started_on,
                **_ending(rng, profile, started_on, extract),
            }
        )
    placements = pl.DataFrame(rows, schema=_schema(contract)) if rows else _empty(contract)
    return placements.with_columns(extract_date=pl.lit(extract), project_code=pl.lit(code)).select(
        contract.column_names
    )


def _starts(
    rng: np.random.Generator, frame: pl.DataFrame, profile: dict[str, Any], extract: dt.date
) -> list[tuple[str, dt.date, str]]:
    """(trajectory, start, type) of every placement, in order of start."""
    if profile["who"] == "steps":
        chosen = frame.filter(
            pl.col("step_type").is_in(profile["steps"]),
            pl.col("trajectory_started_on").is_not_null(),
        ).select("trajectory_id", anchor="trajectory_started_on", kind="step_type")
    else:
        chosen = frame.filter(pl.col("exploration_started_on").is_not_null()).select(
            "trajectory_id", anchor="exploration_started_on", kind=pl.lit(None, pl.String)
        )
    counts = list(profile["per_person"])
    weights = np.array([profile["per_person"][c] for c in counts], dtype=float)
    starts = []
    for trajectory_id, anchor, kind in chosen.iter_rows():
        if rng.random() >= profile["share"]:
            continue
        day = anchor + dt.timedelta(days=int(rng.integers(0, profile["after"] + 1)))
        for _ in range(int(counts[rng.choice(len(counts), p=weights / weights.sum())])):
            if day > extract:
                break
            chosen_kind = kind or _pick(rng, profile["types"])
            starts.append((trajectory_id, day, chosen_kind))
            day += dt.timedelta(days=int(_length(rng, profile)) + int(rng.integers(7, 90)))
    return sorted(starts, key=lambda s: (s[1], s[0]))


class _Network:
    """The project's employers as they accrue, placement by placement."""

    def __init__(self, rng: np.random.Generator, code: str, profile: dict, regions: list[str]):
        self.rng, self.code, self.profile, self.regions = rng, code, profile, regions
        self.known: list[_Employer] = []
        self.own: _Employer | None = None
        for _ in range(profile["network"]["start"]):
            self.known.append(self._new(self._economy(None, own=False)))

    def employer(self, kind: str) -> _Employer:
        economy = self._economy(kind, own=True)
        if economy == "own_organisation":
            if self.own is None:
                self.own = self._new("own_organisation")
            chosen = self.own
        else:
            fitting = [e for e in self.known if e.economy == economy]
            reuse = fitting and self.rng.random() < self.profile["network"]["repeat"]
            if reuse:  # the more placements an employer took, the likelier it takes another
                weights = np.array([1 + e.placements for e in fitting], dtype=float)
                chosen = fitting[self.rng.choice(len(fitting), p=weights / weights.sum())]
            else:
                chosen = self._new(economy)
                self.known.append(chosen)
        chosen.placements += 1
        return chosen

    def _economy(self, kind: str | None, own: bool) -> str:
        by_type = self.profile.get("economy_by_type", {})
        shares = by_type.get(kind) if kind in by_type else self.profile.get("economy")
        if shares is None:  # a start employer of a per-type profile: any of its economies
            shares = next(iter(by_type.values()))
        if not own:
            shares = {k: v for k, v in shares.items() if k != "own_organisation"}
        return _pick(self.rng, shares)

    def _new(self, economy: str) -> _Employer:
        serial = len(self.known) + (self.own is not None)
        digest = hashlib.sha256(f"{self.code}-employer-{serial}-{economy}".encode())
        return _Employer(
            key=digest.hexdigest()[:32],
            sector=_pick(self.rng, self.profile["sectors"]),
            size=_pick(self.rng, self.profile["sizes"]),
            economy=economy,
            region_code=self.regions[int(self.rng.integers(0, len(self.regions)))],
        )


def _ending(
    rng: np.random.Generator, profile: dict[str, Any], started_on: dt.date, extract: dt.date
) -> dict[str, Any]:
    """End date and reason, censored at the extract date; whether the employer hired the
    participant once that is due (three months after the end) or known (ended as hired)."""
    ended_on = started_on + dt.timedelta(days=int(_length(rng, profile)))
    if ended_on > extract:
        return {"ended_on": None, "end_reason": None, "hired_by_employer": None}
    hired = bool(rng.random() < profile["hired"])
    reason = "hired" if hired else _pick(rng, OTHER_ENDINGS)
    due = ended_on + dt.timedelta(days=HIRED_WITHIN_DAYS) <= extract
    return {
        "ended_on": ended_on,
        "end_reason": reason,
        "hired_by_employer": True if hired else (False if due else None),
    }


def _length(rng: np.random.Generator, profile: dict[str, Any]) -> float:
    days = profile["days"]
    if "fixed" in days:
        return float(days["fixed"])
    return days["min"] + rng.exponential(days["mean"] - days["min"])


def _regions(frame: pl.DataFrame) -> list[str]:
    """Where the project's employers are: the regions its participants were reached in."""
    return sorted(frame["region_code"].unique().to_list())


def _pick(rng: np.random.Generator, shares: dict[str, float]) -> str:
    keys = list(shares)
    p = np.array([shares[k] for k in keys], dtype=float)
    return str(keys[rng.choice(len(keys), p=p / p.sum())])


def _schema(contract: Contract) -> dict[str, pl.DataType]:
    types = {"date": pl.Date(), "boolean": pl.Boolean()}
    return {
        c.name: types.get(c.type, pl.String())
        for c in contract.columns
        if c.name not in ("extract_date", "project_code")
    }


def _empty(contract: Contract) -> pl.DataFrame:
    return pl.DataFrame(schema=_schema(contract))
