"""Submissions read back: the list, a pack byte for byte, and what changed since (revisions).

A submission is a funder report pack frozen with every figure in it (werkpad.report_pack);
pipelines.submissions writes it. Revisions compute the same selection, with the same
threshold, on today's data through the same published-figures layer, so a current figure is
withheld exactly where a new pack would withhold it; a change of 1 to 4 people is a small
count too, withheld like one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import duckdb
import polars as pl

from werkpad import metrics, report_pack
from werkpad.rendering.i18n import Translator
from werkpad.site import current_settings
from werkpad.sql import load_sql
from werkpad.warehouse import has_table

DATES = ("reached_from", "reached_to")


def figures_of(headline: dict[str, Any], participants: pl.DataFrame) -> list[dict[str, Any]]:
    """A pack's headline figures, then the ESF+ table's counts (report_pack.more_figures
    gives the rest)."""
    out: list[dict[str, Any]] = [
        {"section": "headline", "group": None, "metric": name, "value": value}
        for name, value in headline.items()
    ]
    out += [
        {"section": row["section"], "group": row["category"], "metric": "count",
         "value": row["count"]}
        for row in participants.iter_rows(named=True)
    ]  # fmt: skip
    return out


def new_record(
    con: duckdb.DuckDBPyConnection,
    pack: report_pack.Pack,
    *,
    report: str,
    period: tuple[dt.date, dt.date],
    threshold: int,
    lang: str,
    as_of: dt.date | None,
    by: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """A submission of a pack just written (`pack.path`) from the data `con` reads: the row
    pipelines.submissions keeps, with the vintage (the snapshot each project was read from)
    and every figure in the pack. Its id carries the time and the hash."""
    zipped = pack.path.read_bytes()
    sha = hashlib.sha256(zipped).hexdigest()
    covered = set(report_pack.lineage_projects(con, pack.filters))
    read = [r for r in con.execute(load_sql("queries/vintage_snapshots")).fetchall()
            if r[0] in covered]  # the selection's projects, not the site's  # fmt: skip
    return {
        "submission_id": f"{now:%Y%m%d-%H%M%S}-{sha[:8]}",
        "report": report,
        "period_from": period[0],
        "period_to": period[1],
        "selection": selection_json(pack.filters),
        "threshold": threshold,
        "lang": lang,
        "as_of": as_of,
        "snapshots": json.dumps({p: [d.isoformat(), s] for p, d, s in read}),
        "submitted_by": by,
        "submitted_at": now,
        "sha256": sha,
        "pack": zipped,
        "figures": json.dumps(
            figures_of(pack.headline, pack.participants)
            + report_pack.more_figures(con, pack.filters, threshold)
        ),
    }


def selection_json(filters: dict[str, Any]) -> str:
    """A pack's selection as stored: codes, dates as ISO text."""
    return json.dumps(
        {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in filters.items()},
        sort_keys=True,
    )


def selection_of(record: dict[str, Any]) -> dict[str, Any]:
    """The selection a submission was built for, as the figures layer takes it."""
    return _selection(record["selection"])


def _selection(text: str) -> dict[str, Any]:
    stored = json.loads(text)
    return {k: dt.date.fromisoformat(v) if k in DATES else v for k, v in stored.items()}


def projects_of(record: dict[str, Any], provinces_of: dict[str, str]) -> set[str]:
    """The projects a submission's selection covers (`provinces_of`: every project's
    province): what a project lead's scope must hold for her to see it."""
    selection = json.loads(record["selection"])
    chosen = set(provinces_of)
    for key in ("project", "scope_project"):
        if selection.get(key):
            chosen &= set(selection[key])
    for key in ("province", "scope_province"):
        if selection.get(key):
            chosen = {p for p in chosen if provinces_of[p] in selection[key]}
    return chosen


def in_scope(record: dict[str, Any], provinces_of: dict[str, str], projects: Any) -> bool:
    """Whether a project lead who may see `projects` may see this submission: it covers at
    least one project, and only hers. One that covers none is steering's alone (it failed
    open to every lead before; found in review)."""
    covered = projects_of(record, provinces_of)
    return bool(covered) and covered <= set(projects)


def submissions(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every submission, newest first, without its ZIP (none in a warehouse from before)."""
    if not has_table(con, "ops", "submissions"):
        return []
    cursor = con.execute(load_sql("queries/submissions"))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def submission(con: duckdb.DuckDBPyConnection, submission_id: str) -> dict[str, Any] | None:
    return next((s for s in submissions(con) if s["submission_id"] == submission_id), None)


class PackAltered(Exception):
    """A stored pack whose bytes no longer have the SHA-256 recorded when it was submitted:
    changed in the warehouse since. It is never handed out as the submission."""


def pack_bytes(con: duckdb.DuckDBPyConnection, submission_id: str) -> tuple[bytes, str] | None:
    """The ZIP as submitted and its SHA-256, or None; PackAltered when the bytes kept do
    not match the hash kept with them (an export printed the stored hash beside other
    bytes; found in review)."""
    if not has_table(con, "ops", "submissions"):
        return None
    row = con.execute(load_sql("queries/submission_pack"), {"submission_id": submission_id})
    found = row.fetchone()
    if not found:
        return None
    zipped, sha = bytes(found[0]), found[1]
    if hashlib.sha256(zipped).hexdigest() != sha:
        raise PackAltered(submission_id)
    return zipped, sha


def current_figures(
    con: duckdb.DuckDBPyConnection, record: dict[str, Any], suppressed: bool = True
) -> list[dict]:
    """The figures of a submission's selection on the data `con` reads, as a pack would
    publish them today (for a reader whose figures are not suppressed, steering: as they
    are)."""
    filters = _selection(record["selection"])
    t = Translator(record["lang"])
    threshold = int(record["threshold"]) if suppressed else None
    participants = report_pack.participants_table(con, filters, t, threshold)
    headline = report_pack.suppressed_headline(con, filters, threshold)
    return figures_of(headline, participants) + report_pack.more_figures(con, filters, threshold)


def revisions(
    con: duckdb.DuckDBPyConnection, record: dict[str, Any], suppressed: bool = True
) -> list[dict[str, Any]]:
    """Per figure of the submission: submitted, current and the difference, and `changed`
    when |delta| >= max(5, 2% of submitted) people (a rate: 2 points). Where counts are
    suppressed, a count that changed by 1 to the site's threshold - 1 is a small count: its
    difference and its current value are withheld (None), since the submitted one is known;
    so is a difference with a side withheld. Steering's are not suppressed (`suppressed`
    False): a period that now cuts a quarter is then compared too."""
    floor = current_settings().suppression_threshold if suppressed else 1
    counts = {m.name for m in metrics.load_metrics() if m.type == "count"} | {"count"}
    now = {
        (f["section"], f["group"], f["metric"]): f["value"]
        for f in current_figures(con, record, suppressed)
    }
    out: list[dict[str, Any]] = []
    for figure in json.loads(record["figures"]):
        key = (figure["section"], figure["group"], figure["metric"])
        submitted, current = figure["value"], now.get(key)
        delta = None if submitted is None or current is None else current - submitted
        if figure["metric"] in counts:
            if delta is not None and 0 < abs(delta) < floor:
                delta = current = None
            changed = delta is not None and abs(delta) >= max(5, 0.02 * abs(submitted))
        else:
            delta = None if delta is None else round(delta, 6)
            changed = delta is not None and abs(delta) >= 0.02
        out.append(
            {"section": key[0], "group": key[1], "metric": key[2], "submitted": submitted,
             "current": current, "delta": delta, "changed": changed,
             "small": figure["metric"] in counts and current is None and now.get(key) is not None}
        )  # fmt: skip
    return _close_rates(_close_sections(out))


def vintages(con: duckdb.DuckDBPyConnection, record: dict[str, Any]) -> list[dict[str, Any]]:
    """Per project the submission's selection covers: the extract date its figures were read
    from when submitted, and the one they are read from now (None: no extract then, or
    now). What a revision is explained by first: a later or corrected extract, or a project
    that had not delivered yet (found in review: +165 people from a project that first
    delivered after the submission, unexplained)."""
    selection = selection_of(record)
    current = report_pack.lineage(con, selection)
    covered = set(report_pack.lineage_projects(con, selection))
    then = {p: dt.date.fromisoformat(d) for p, (d, _) in json.loads(record["snapshots"]).items()}
    return [
        {"project": p, "submitted": then.get(p), "current": current.get(p)}
        for p in sorted(covered & (set(then) | set(current)))
    ]


def withheld_whole(rows: list[dict[str, Any]]) -> bool:
    """Whether today's figures of the selection are all withheld while some were submitted:
    a period that ends inside a quarter, now that the data reach past its end, is never
    published (two periods days apart would tell who came in between), so there is no
    revision to show, and a page must say why rather than "nothing changed". Targets are
    whole projects' periods, not the selection's: they are left out of the question."""
    submitted = [r for r in rows if r["submitted"] is not None and r["section"] != "target"]
    return bool(submitted) and all(r["current"] is None for r in submitted)


def _close_rates(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A rate of the same section and group as a count whose change is withheld is withheld
    too (current and difference): 0,6454545 beside a submitted 2966/1915 gave the small
    changes of its parts back (found in review)."""
    parts = {m.name: m.parts for m in metrics.load_metrics() if m.type == "ratio"}
    hidden = {(r["section"], r["group"], r["metric"]) for r in rows
              if r["current"] is None and r["metric"] not in parts}  # fmt: skip
    for row in rows:
        if row["metric"] in parts and any(
            (row["section"], row["group"], part) in hidden for part in parts[row["metric"]]
        ):
            row.update(current=None, delta=None, changed=False)
    return rows


def _close_sections(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A section whose categories add up to its total (a `total` row) and that holds a
    withheld small change: every category's current value and difference are withheld, or
    the total less the shown ones would give the small change back (the total is the
    headline's, shown anyway). The section's change as a whole is its total's."""
    additive = {r["section"] for r in rows if r["group"] == "total"}
    small = {r["section"] for r in rows if r.pop("small") and r["section"] in additive}
    for row in rows:
        if row["section"] in small and row["group"] != "total":
            row.update(current=None, delta=None, changed=False)
    return rows
