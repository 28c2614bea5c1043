"""Seeded, realistic sample extracts for the demo site: the five We Go To Work provincial
projects, and the other programmes as sample_data/programmes.yaml shapes them.

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
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import yaml

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
    programmes: bool = False,
) -> dict[str, pl.DataFrame]:
    """Typed trajectories per project code, reproducible for a seed: `rows` in all for the
    We Go To Work projects; with `programmes` (or when `projects` names them) also the demo
    site's other programmes, each as sample_data/programmes.yaml shapes it."""
    contract = contract or default_contract()
    rng = np.random.default_rng(seed)
    all_projects = contract.reference_rows("projects")
    profiles = programme_profiles()
    wanted = [p for p in all_projects if projects is None or p["project_code"] in projects]
    chosen = [p for p in wanted if p["project_code"] not in profiles]
    shaped = [p for p in wanted if p["project_code"] in profiles and (programmes or projects)]
    if not chosen and not shaped:
        raise ValueError("no known project selected")
    frames: dict[str, pl.DataFrame] = {}
    if chosen:  # We Go To Work's projects share `rows` by province
        weights = np.array([PROVINCE_WEIGHT.get(p["province_code"], 0.2) for p in chosen])
        counts = rng.multinomial(rows, weights / weights.sum())
        for project, n in zip(chosen, counts, strict=True):
            frames[project["project_code"]] = _project_frame(
                project, int(n), rng, extract_date, contract
            )
    for project in shaped:  # the other programmes: their own sizes and dates
        frames[project["project_code"]] = _programme_frame(
            project, profiles[project["project_code"]], seed, contract
        )
    return frames


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
    start = dt.date.fromisoformat(project["start_date"])
    partners = _active_partners(contract, project["province_code"], start, extract_date)
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


def _people(
    rng: np.random.Generator, n: int, partner_type: np.ndarray, shares: dict | None = None
) -> dict[str, object]:
    shares = shares or {}
    referral = np.array([REFERRAL_BY_PARTNER_TYPE[t] for t in partner_type], dtype=object)
    other = rng.random(n) < sum(REFERRAL_OTHER.values())
    referral[other] = _pick(rng, REFERRAL_OTHER, int(other.sum()))
    mental = (
        rng.random(n) < np.where(partner_type == "mental_health", 0.9, 0.55)
        if "mental_health" not in shares
        else rng.random(n) < shares["mental_health"]
    )
    addiction = (
        rng.random(n) < np.where(partner_type == "addiction_care", 0.85, 0.18)
        if "addiction" not in shares
        else rng.random(n) < shares["addiction"]
    )
    return {
        "referral_source": referral,
        "gender": _pick(rng, shares.get("gender", GENDER), n),
        "age_band": _pick(rng, AGE_BAND, n),
        "education_level": _pick(rng, shares.get("education_level", EDUCATION), n),
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
    rng: np.random.Generator,
    n: int,
    reached: np.ndarray,
    extract: np.datetime64,
    chances: dict | None = None,
    step_types: dict[str, float] | None = None,
) -> dict[str, object]:
    """Milestone dates and outcomes, censored at the extract date; `chances` and
    `step_types` change We Go To Work's (a profile of sample_data/programmes.yaml)."""
    p = {"exploring": P_EXPLORING, "step": P_STEP, "early_stop": P_EARLY_STOP,
         "nec": P_NEC, "warm_handover": P_WARM_HANDOVER} | (chances or {})  # fmt: skip
    nat = np.datetime64("NaT")
    none = np.array(None, dtype=object)  # np.where's "no value" (numpy's types refuse a bare None)
    explore = np.where(rng.random(n) < p["exploring"], reached + _days(rng, n, 0, 21), nat)
    decide = explore + _days(rng, n, 14, 75)
    step = rng.random(n) < p["step"]
    step_type = _pick(rng, step_types or STEP_TYPE, n)
    # IPS (place, then train): a job step starts the supported-employment trajectory too
    with_job = bool(p.get("trajectory_with_job", False))
    traj = np.where(
        step & ((step_type != "paid_job") | with_job) & (rng.random(n) < 0.9),
        decide + _days(rng, n, 3, 28),
        nat,
    )
    p_job = np.array([p.get("job", JOB_AFTER_STEP[s]) for s in step_type])
    job_base = np.where(np.isnat(traj), decide, traj)
    job = np.where(step & (rng.random(n) < p_job), job_base + _days(rng, n, 14, 120), nat)
    stop = np.where(rng.random(n) < p["early_stop"], reached + _days(rng, n, 10, 150), nat)
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
    circuit_sec = np.isin(step_type, ["maatwerk", "art60"]) | (rng.random(n) > p["nec"] + 0.08)
    due_3m = has_job & (job + np.timedelta64(91, "D") <= extract)
    ended, reason, warm = _endings(rng, n, stop, decide, decision, job, extract, p)
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


def _endings(rng, n, stop, decide, decision, job, extract, p):
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
    warm = _nullable_bool(rng.random(n) < p["warm_handover"], has_end & early)
    return ended, reason, warm


def _nullable_bool(values: np.ndarray, known: np.ndarray) -> list[bool | None]:
    return [bool(v) if k else None for v, k in zip(values, known, strict=True)]


def _client_keys(rng: np.random.Generator, n: int) -> list[str]:
    keys = [bytes(b).hex() for b in rng.integers(0, 256, size=(n, 16), dtype=np.uint8)]
    repeat = np.flatnonzero(rng.random(n) < P_REPEAT_CLIENT)
    for i in repeat[repeat > 0]:
        keys[i] = keys[int(rng.integers(0, i))]
    return keys


PROGRAMMES_FILE = Path(__file__).parent / "programmes.yaml"


def _active_partners(
    contract: Contract, province: str, start: dt.date, end: dt.date
) -> list[dict[str, str]]:
    """The province's partners taking part at some time from start to end: a partner that left
    before a project began (or joined after its extract) sends it nobody."""
    return [
        p
        for p in contract.reference_rows("partners")
        if p["province_code"] == province
        and (not p["joined_on"] or dt.date.fromisoformat(p["joined_on"]) <= end)
        and (not p["left_on"] or dt.date.fromisoformat(p["left_on"]) >= start)
    ]


def shared_rows(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The We Go To Work projects' frames (those sharing `rows`): the faulty files are made
    from them, so the set of faulty files stays one per way an extract goes wrong."""
    return {code: frame for code, frame in frames.items() if code not in programme_profiles()}


@cache
def programme_profiles(path: Path = PROGRAMMES_FILE) -> dict[str, dict[str, Any]]:
    """Project code -> how its extract looks (sample_data/programmes.yaml)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))["projects"]


def _programme_frame(
    project: dict[str, str], profile: dict[str, Any], seed: int, contract: Contract
) -> pl.DataFrame:
    """One project of another programme, shaped by its profile, from its own random stream
    (so adding or tuning one never changes another's sample)."""
    code = project["project_code"]
    rng = np.random.default_rng([seed, *code.encode()])
    extract = profile["extract_date"]
    start = dt.date.fromisoformat(project["start_date"])
    partners = _active_partners(contract, project["province_code"], start, extract)
    windows = profile["reached"]
    reached = np.sort(
        np.concatenate(
            [
                np.datetime64(w["from"])
                + rng.integers(0, (w["to"] - w["from"]).days + 1, size=w["count"]).astype(
                    "timedelta64[D]"
                )
                for w in windows
            ]
        )
    )
    n = len(reached)
    partner = [partners[i] for i in rng.integers(0, len(partners), size=n)]
    partner_type = np.array([p["partner_type"] for p in partner], dtype=object)
    shares = profile.get("shares", {})
    cols = _people(rng, n, partner_type, shares)
    if "exact" in profile:
        cols.update(_exact_journey(rng, reached, np.datetime64(extract), profile["exact"]))
    else:
        journey = _journey(
            rng, n, reached, np.datetime64(extract), profile.get("chances"), shares.get("step_type")
        )
        cols.update(journey)
    years = reached.astype("datetime64[Y]").astype(int) + 1970
    frame = pl.DataFrame(
        {
            "extract_date": [extract] * n,
            "project_code": [code] * n,
            "trajectory_id": [
                f"{code}-{y}-{s:07d}" for y, s in zip(years, range(1, n + 1), strict=True)
            ],
            "client_key": _client_keys(rng, n),
            "region_code": [p["region_code"] for p in partner],
            "partner_code": [p["partner_code"] for p in partner],
            **{k: _series(k, v) for k, v in cols.items()},
        }
    )
    return frame.select(contract.column_names)


def _exact_journey(
    rng: np.random.Generator, reached: np.ndarray, extract: np.datetime64, exact: dict[str, Any]
) -> dict[str, object]:
    """Outcomes exactly as a programme's document counts them: who moved on and to which step,
    who stopped early (handed over warm), who is still in guidance (the most recently reached),
    the rest decided "not now". Dates fall in order between first contact and the extract."""
    n = len(reached)
    moved = [kind for kind, k in exact["moved_on"].items() for _ in range(k)]
    earlier = ["early_stop"] * exact["early_stop"] + moved
    earlier += ["not_now"] * (n - exact["ongoing"] - len(earlier))
    role = np.array(
        [*rng.permutation(np.array(earlier, dtype=object)), *["ongoing"] * exact["ongoing"]]
    )
    room = (extract - reached).astype(int)

    def at(share: float) -> np.ndarray:  # a day that share of the way to the extract date
        return reached + (room * share).astype(int).astype("timedelta64[D]")

    nat = np.datetime64("NaT")
    none = np.array(None, dtype=object)
    stepped = np.isin(role, list(exact["moved_on"]))
    decided = stepped | (role == "not_now")
    explored = decided | (role == "ongoing") | ((role == "early_stop") & (rng.random(n) < 0.5))
    job = stepped & (role == "paid_job")
    trajectory = stepped & ~job
    ended = role != "ongoing"
    reasons = _pick(rng, EARLY_STOP_REASON, n)
    return {
        "reached_on": reached,
        "exploration_started_on": np.where(explored, at(0.1), nat),
        "decision_on": np.where(decided, at(0.4), nat),
        "decision": np.where(stepped, "step_to_work", np.where(decided, "no_step_now", none)),
        "step_type": np.where(stepped, role, none),
        "trajectory_started_on": np.where(trajectory, at(0.6), nat),
        "job_started_on": np.where(job, at(0.6), nat),
        "job_circuit": np.where(job, "nec", none),
        "employed_3m": _nullable_bool(
            np.ones(n, dtype=bool), job & (at(0.6) + np.timedelta64(91, "D") <= extract)
        ),
        "ended_on": np.where(ended, at(0.8), nat),
        "end_reason": np.where(role == "early_stop", reasons, np.where(ended, "completed", none)),
        "warm_handover": _nullable_bool(np.ones(n, dtype=bool), role == "early_stop"),
    }
