"""Seeded, realistic sample extracts for the five We Go To Work provincial projects.

Why: the product must run and be tested on a fresh machine with no real data. The figures are
calibrated to the programme documents (see shared/DOMAIN.md): about 3,600 people through
exploration at the default size, about 65% of considered decisions a step towards work, roughly
a fifth of people reached in paid work, two thirds of jobs in the regular circuit (NEC), and
each partner ramping up over about nine months before reach rises sharply.

Codes and allowed values come from the data contract and its reference tables, so a new value
there shows up here without a code change. Extend a distribution by editing the weights below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from werkpad.contract import Contract, default_contract

PROJECT_START = dt.date(2021, 1, 1)
DEFAULT_EXTRACT_DATE = dt.date(2023, 12, 31)

# Share of all trajectories per province, roughly by population.
PROVINCE_WEIGHT = {"ANT": 0.26, "OVL": 0.24, "WVL": 0.19, "VBR": 0.16, "LIM": 0.15}
# Months of partnership after which reach rises sharply (the documented learning curve).
RAMP_MONTHS = 9
P_EXPLORING = 0.80
P_STEP = 0.65
P_EARLY_STOP = 0.16
P_WARM_HANDOVER = 0.85
P_NEC = 0.67
P_SUSTAINED_3M = 0.72
P_REPEAT_CLIENT = 0.03

REFERRAL_BY_PARTNER_TYPE = {
    "mental_health": "care_partner",
    "addiction_care": "care_partner",
    "rehabilitation": "care_partner",
    "welfare": "welfare_partner",
    "ocmw": "ocmw",
    "mutuality": "mutuality",
    "other": "other",
}
REFERRAL_OTHER = {"vdab": 0.07, "gtb": 0.05, "self": 0.06, "other": 0.04}
GENDER = {"F": 0.53, "M": 0.45, "X": 0.02}
AGE_BAND = {
    "18-24": 0.11,
    "25-29": 0.13,
    "30-39": 0.24,
    "40-49": 0.23,
    "50-54": 0.12,
    "55-64": 0.15,
    "65+": 0.02,
}
EDUCATION = {"low": 0.52, "medium": 0.30, "high": 0.10, "unknown": 0.08}
BENEFIT = {
    "riziv_incapacity": 0.46,
    "leefloon": 0.19,
    "unemployment": 0.15,
    "none": 0.07,
    "other": 0.05,
    "unknown": 0.08,
}
STEP_TYPE = {
    "gtb_trajectory": 0.27,
    "vdab_trajectory": 0.17,
    "ibo": 0.06,
    "art60": 0.08,
    "maatwerk": 0.08,
    "training": 0.12,
    "volunteering": 0.15,
    "paid_job": 0.07,
}
# Chance that a step of this type leads to a paid job.
JOB_AFTER_STEP = {
    "gtb_trajectory": 0.45,
    "vdab_trajectory": 0.5,
    "ibo": 0.75,
    "art60": 0.7,
    "maatwerk": 0.8,
    "training": 0.3,
    "volunteering": 0.15,
    "paid_job": 1.0,
}
EARLY_STOP_REASON = {
    "early_stop_health": 0.48,
    "early_stop_motivation": 0.30,
    "early_stop_other": 0.22,
}


@dataclass(frozen=True)
class Style:
    """How one partner system writes its export: the contract allows all of these."""

    delimiter: str = ","
    encoding: str = "utf-8"
    date_format: str = "%Y-%m-%d"
    booleans: tuple[str, str] = ("true", "false")
    format: str = "csv"


# Each project exports differently, as real partners do; the reader must sniff them all.
PROJECT_STYLE = {
    "WGTW-ANT": Style(";", "cp1252", "%d/%m/%Y", ("ja", "nee")),
    "WGTW-LIM": Style(",", "utf-8-sig", "%Y-%m-%d", ("true", "false")),
    "WGTW-OVL": Style(";", "utf-8", "%d/%m/%Y", ("1", "0")),
    "WGTW-VBR": Style(format="xlsx"),
    "WGTW-WVL": Style(",", "utf-8", "%d/%m/%Y", ("oui", "non")),
}


def generate(
    rows: int,
    seed: int,
    extract_date: dt.date = DEFAULT_EXTRACT_DATE,
    projects: list[str] | None = None,
    contract: Contract | None = None,
) -> dict[str, pl.DataFrame]:
    """Typed trajectories per project code, `rows` in all, reproducible for a seed."""
    contract = contract or default_contract()
    rng = np.random.default_rng(seed)
    all_projects = contract.reference_rows("projects")
    chosen = [p for p in all_projects if projects is None or p["project_code"] in projects]
    if not chosen:
        raise ValueError("no known project selected")
    weights = np.array([PROVINCE_WEIGHT.get(p["province_code"], 0.2) for p in chosen])
    counts = rng.multinomial(rows, weights / weights.sum())
    return {
        project["project_code"]: _project_frame(project, int(n), rng, extract_date, contract)
        for project, n in zip(chosen, counts, strict=True)
    }


def _pick(rng: np.random.Generator, dist: dict[str, float], n: int) -> np.ndarray:
    keys = list(dist)
    p = np.array([dist[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _months_since(start: dt.date, day: str) -> int:
    """Whole months from the project's start to a partner's `joined_on` (0 when empty)."""
    joined = dt.date.fromisoformat(day) if day else start
    return (joined.year - start.year) * 12 + joined.month - start.month


def _ramp(months_active: np.ndarray) -> np.ndarray:
    """Relative monthly reach of a partner by months since its first contact."""
    return np.where(
        months_active < 0, 0.0, 0.2 + 0.8 / (1 + np.exp(-(months_active - RAMP_MONTHS) / 1.5))
    )


def _project_frame(
    project: dict[str, str],
    n: int,
    rng: np.random.Generator,
    extract_date: dt.date,
    contract: Contract,
) -> pl.DataFrame:
    partners = [
        p
        for p in contract.reference_rows("partners")
        if p["province_code"] == project["province_code"]
    ]
    start = dt.date.fromisoformat(project["start_date"])
    n_months = (extract_date.year - start.year) * 12 + extract_date.month - start.month + 1
    # Partners join when the site's partners.csv says (`joined_on`); reach per partner follows
    # the ramp from then. The draw that once chose those months is still made, so every
    # seed's sample is what it was.
    rng.integers(0, 12, size=len(partners))
    joined = np.array([_months_since(start, p["joined_on"]) for p in partners], dtype=int)
    size = rng.uniform(0.5, 1.5, size=len(partners))
    months = np.arange(n_months)
    intensity = _ramp(months[None, :] - joined[:, None]) * size[:, None]
    cell = rng.choice(intensity.size, size=n, p=(intensity / intensity.sum()).ravel())
    partner_idx, month_idx = np.divmod(cell, n_months)
    month_start = np.array(
        [
            np.datetime64(
                f"{start.year + (start.month - 1 + m) // 12}-"
                f"{(start.month - 1 + m) % 12 + 1:02d}-01"
            )
            for m in range(n_months)
        ]
    )
    reached = month_start[month_idx] + rng.integers(0, 28, size=n).astype("timedelta64[D]")
    order = np.argsort(reached, kind="stable")
    partner_idx, reached = partner_idx[order], reached[order]
    partner = [partners[i] for i in partner_idx]
    partner_type = np.array([p["partner_type"] for p in partner], dtype=object)

    cols = _people(rng, n, partner_type)
    cols.update(_journey(rng, n, reached, np.datetime64(extract_date)))
    seq = np.arange(1, n + 1)
    years = reached.astype("datetime64[Y]").astype(int) + 1970
    prov = project["province_code"]
    frame = pl.DataFrame(
        {
            "extract_date": [extract_date] * n,
            "project_code": [project["project_code"]] * n,
            "trajectory_id": [f"{prov}-{y}-{s:07d}" for y, s in zip(years, seq, strict=True)],
            "client_key": _client_keys(rng, n),
            "region_code": [p["region_code"] for p in partner],
            "partner_code": [p["partner_code"] for p in partner],
            **{k: _series(k, v) for k, v in cols.items()},
        }
    )
    return frame.select(contract.column_names)


def _series(name: str, values: Any) -> pl.Series:
    """numpy object arrays become text columns, datetime64 arrays date columns."""
    if isinstance(values, np.ndarray) and values.dtype == object:
        return pl.Series(name, values.tolist(), dtype=pl.String)
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        return pl.Series(name, values.astype("datetime64[D]")).cast(pl.Date)
    return pl.Series(name, values)


def _people(rng: np.random.Generator, n: int, partner_type: np.ndarray) -> dict[str, object]:
    referral = np.array([REFERRAL_BY_PARTNER_TYPE[t] for t in partner_type], dtype=object)
    other = rng.random(n) < sum(REFERRAL_OTHER.values())
    referral[other] = _pick(rng, REFERRAL_OTHER, int(other.sum()))
    mental = rng.random(n) < np.where(partner_type == "mental_health", 0.9, 0.55)
    addiction = rng.random(n) < np.where(partner_type == "addiction_care", 0.85, 0.18)
    return {
        "referral_source": referral,
        "gender": _pick(rng, GENDER, n),
        "age_band": _pick(rng, AGE_BAND, n),
        "education_level": _pick(rng, EDUCATION, n),
        "benefit_status": _pick(rng, BENEFIT, n),
        "mental_health": mental,
        "addiction": addiction,
        "physical_disability": rng.random(n)
        < np.where(partner_type == "rehabilitation", 0.7, 0.12),
        "migration_background": rng.random(n) < 0.2,
    }


def _days(rng: np.random.Generator, n: int, low: int, mean: float) -> np.ndarray:
    return (low + rng.gamma(2.0, mean / 2.0, size=n)).astype(int).astype("timedelta64[D]")


def _journey(
    rng: np.random.Generator, n: int, reached: np.ndarray, extract: np.datetime64
) -> dict[str, object]:
    """Milestone dates and outcomes, censored at the extract date."""
    nat = np.datetime64("NaT")
    none = np.array(None, dtype=object)  # np.where's "no value" (numpy's types refuse a bare None)
    explore = np.where(rng.random(n) < P_EXPLORING, reached + _days(rng, n, 0, 21), nat)
    decide = explore + _days(rng, n, 14, 75)
    step = rng.random(n) < P_STEP
    step_type = _pick(rng, STEP_TYPE, n)
    traj = np.where(
        step & (step_type != "paid_job") & (rng.random(n) < 0.9), decide + _days(rng, n, 3, 28), nat
    )
    p_job = np.array([JOB_AFTER_STEP[s] for s in step_type])
    job_base = np.where(np.isnat(traj), decide, traj)
    job = np.where(step & (rng.random(n) < p_job), job_base + _days(rng, n, 14, 120), nat)
    stop = np.where(rng.random(n) < P_EARLY_STOP, reached + _days(rng, n, 10, 150), nat)
    # An early stop cuts every milestone after it.
    for dates in (explore, decide, traj, job):
        cut = ~np.isnat(stop) & ~np.isnat(dates) & (dates >= stop)
        dates[cut] = nat
    stop[~np.isnat(stop) & ~np.isnat(job)] = nat
    for dates in (explore, decide, traj, job, stop):
        dates[dates > extract] = nat
    decide[np.isnat(explore)] = nat
    traj[np.isnat(decide)] = nat
    job[np.isnat(decide)] = nat
    decided = ~np.isnat(decide)
    decision = np.where(decided, np.where(step, "step_to_work", "no_step_now"), none)
    has_job = ~np.isnat(job)
    circuit_sec = np.isin(step_type, ["maatwerk", "art60"]) | (rng.random(n) > P_NEC + 0.08)
    due_3m = has_job & (job + np.timedelta64(91, "D") <= extract)
    ended, reason, warm = _endings(rng, n, stop, decide, decision, job, extract)
    return {
        "reached_on": reached,
        "exploration_started_on": explore,
        "decision_on": decide,
        "decision": decision,
        "step_type": np.where(decision == "step_to_work", step_type, none),
        "trajectory_started_on": traj,
        "job_started_on": job,
        "job_circuit": np.where(has_job, np.where(circuit_sec, "sec", "nec"), none),
        "employed_3m": _nullable_bool(
            np.where(due_3m, rng.random(n) < P_SUSTAINED_3M, False), due_3m
        ),
        "ended_on": ended,
        "end_reason": reason,
        "warm_handover": warm,
    }


def _endings(rng, n, stop, decide, decision, job, extract):
    """Guidance ends on an early stop, after a 'not now' decision, or six months into a job."""
    nat = np.datetime64("NaT")
    ended = np.full(n, nat, dtype="datetime64[D]")
    reason = np.full(n, None, dtype=object)
    early = ~np.isnat(stop)
    ended[early] = stop[early]
    reason[early] = _pick(rng, EARLY_STOP_REASON, int(early.sum()))
    not_now = (decision == "no_step_now") & ~early
    ended[not_now] = decide[not_now] + np.timedelta64(30, "D")
    reason[not_now] = "completed"
    after_job = ~np.isnat(job) & ~early
    ended[after_job] = job[after_job] + np.timedelta64(182, "D")
    reason[after_job] = "completed"
    moved = ~early & ~not_now & ~after_job & (rng.random(n) < 0.02) & ~np.isnat(decide)
    ended[moved] = decide[moved] + np.timedelta64(20, "D")
    reason[moved] = "moved"
    late = ended > extract
    ended[late] = nat
    reason[late] = None
    has_end = ~np.isnat(ended)
    warm = _nullable_bool(rng.random(n) < P_WARM_HANDOVER, has_end & early)
    return ended, reason, warm


def _nullable_bool(values: np.ndarray, known: np.ndarray) -> list[bool | None]:
    return [bool(v) if k else None for v, k in zip(values, known, strict=True)]


def _client_keys(rng: np.random.Generator, n: int) -> list[str]:
    keys = [bytes(b).hex() for b in rng.integers(0, 256, size=(n, 16), dtype=np.uint8)]
    repeat = np.flatnonzero(rng.random(n) < P_REPEAT_CLIENT)
    for i in repeat[repeat > 0]:
        keys[i] = keys[int(rng.integers(0, i))]
    return keys
