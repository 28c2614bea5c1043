"""Submissions through the real CLI: frozen packs, exported byte for byte, withdrawn but kept,
and revisions against an independent count of the extracts' frames (tests/conftest.py
`history`: June extracts, then July's and a corrected July export)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import zipfile

import polars as pl
import pytest
from pypdf import PdfReader

from pipelines.load import run_load
from tests.conftest import JUNE, truth_of
from werkpad.cli import main


@pytest.fixture
def warehouse(history, tmp_path):
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(history[0] / "warehouse.duckdb", path)
    return path


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _submit(capsys, warehouse, out, *extra: str) -> dict:
    code, printed, err = _run(
        capsys, "submit", "--warehouse", str(warehouse), "--report", "esf",
        "--period-from", "2021-01-01", "--period-to", "2023-12-31", "--by", "Secretariaat",
        "--out", str(out), "--json", *extra,
    )  # fmt: skip
    assert code == 0, err
    return json.loads(printed)


def test_a_submission_is_frozen_and_exported_byte_for_byte(warehouse, tmp_path, capsys, history):
    _, june, *_ = history
    shown = _submit(capsys, warehouse, tmp_path / "pack.zip", "--as-of", JUNE.isoformat())
    original = (tmp_path / "pack.zip").read_bytes()
    assert shown["sha256"] == hashlib.sha256(original).hexdigest()
    assert shown["as_of"] == JUNE.isoformat()
    reached = next(f for f in shown["figures"] if f["metric"] == "reached")
    assert reached == {"section": "headline", "group": None, "metric": "reached",
                       "value": truth_of(list(june.values()))["reached"]}  # fmt: skip
    packed = zipfile.ZipFile(tmp_path / "pack.zip")
    assert "summary.pdf" in packed.namelist()
    readme = packed.read("README.txt").decode()  # the vintage: which extract each project is
    assert "- WGTW-ANT: 30/06/2023" in readme and "- WGTW-LIM: 30/06/2023" in readme
    assert "gegevens zoals op 30/06/2023" in readme
    pdf = PdfReader(io.BytesIO(packed.read("summary.pdf")))  # the PDF names the vintage too
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "gegevens zoals op 30/06/2023" in text and "huidige gegevens" not in text
    assert "Extractdatum" in text and text.count("30/06/2023") >= 3  # per project, and the date
    # a later night's load keeps it, and the export is the very ZIP
    (tmp_path / "empty").mkdir()
    run_load(tmp_path / "empty", warehouse, tmp_path / "q")
    (tmp_path / "pack.zip").unlink()
    code, _, err = _run(
        capsys, "submissions", "export", shown["submission_id"], "--warehouse", str(warehouse),
        "--out", str(tmp_path / "again.zip"),
    )  # fmt: skip
    assert code == 0, err
    assert (tmp_path / "again.zip").read_bytes() == original


def test_withdrawing_keeps_the_submission_and_says_who_and_why(warehouse, tmp_path, capsys):
    shown = _submit(capsys, warehouse, tmp_path / "pack.zip")
    ident = shown["submission_id"]
    code, _, _ = _run(
        capsys, "submissions", "withdraw", ident, "--warehouse", str(warehouse),
        "--reason", "wrong period", "--by", "An",
    )  # fmt: skip
    assert code == 0
    code, printed, _ = _run(capsys, "submissions", "list", "--warehouse", str(warehouse), "--json")
    listed = {s["submission_id"]: s for s in json.loads(printed)}
    assert listed[ident]["withdrawn_reason"] == "wrong period"
    assert listed[ident]["withdrawn_by"] == "An" and listed[ident]["withdrawn_at"]
    assert listed[ident]["sha256"] == shown["sha256"]
    code, _, err = _run(
        capsys, "submissions", "withdraw", ident, "--warehouse", str(warehouse), "--reason", "x",
        "--by", "Jan",
    )  # fmt: skip
    assert code == 2 and "withdrawn before" in err


def test_a_withdrawal_names_who_withdrew(warehouse, tmp_path, capsys, monkeypatch):
    """Without --by a withdrawal was logged as "unknown" when $USER was unset, as under cron
    (found in review). It is logged as the account running the command, whatever the
    environment says; when no account is known, --by is asked for."""
    import getpass
    import pwd

    ident = _submit(capsys, warehouse, tmp_path / "pack.zip")["submission_id"]
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(name, raising=False)
    account = pwd.getpwuid(os.getuid()).pw_name

    def unknown() -> str:
        raise OSError("no account")

    with monkeypatch.context() as m:
        m.setattr(getpass, "getuser", unknown)
        code, _, err = _run(capsys, "submissions", "withdraw", ident, "--warehouse",
                            str(warehouse), "--reason", "x")  # fmt: skip
        assert code == 2 and "--by" in err and "Traceback" not in err
    code, _, err = _run(
        capsys, "submissions", "withdraw", ident, "--warehouse", str(warehouse), "--reason", "x"
    )
    assert code == 0, err
    code, printed, _ = _run(capsys, "submissions", "list", "--warehouse", str(warehouse), "--json")
    assert json.loads(printed)[0]["withdrawn_by"] == account != "unknown"


def test_revisions_against_an_independent_count(warehouse, tmp_path, capsys, history):
    _, june, july, corrected = history
    shown = _submit(capsys, warehouse, tmp_path / "pack.zip", "--as-of", JUNE.isoformat())
    code, printed, err = _run(
        capsys, "revisions", "--warehouse", str(warehouse), "--submission",
        shown["submission_id"], "--json",
    )  # fmt: skip
    assert code == 0, err
    revised = json.loads(printed)
    assert revised["submission_id"] == shown["submission_id"]
    assert revised["as_of"] == JUNE.isoformat()
    assert len(revised["figures"]) == len(shown["figures"])
    then, now = truth_of(list(june.values())), truth_of([corrected, july["WGTW-LIM"]])
    reached = next(f for f in revised["figures"] if f["metric"] == "reached")
    assert reached["submitted"] == then["reached"] and reached["current"] == now["reached"]
    assert reached["delta"] == now["reached"] - then["reached"] != 0
    gender = {f["group"]: f for f in revised["figures"] if f["section"] == "gender"}
    before = _genders(list(june.values()))
    after = _genders([corrected, july["WGTW-LIM"]])
    assert gender["F"]["submitted"] == then["women"] == before["F"]
    small = any(0 < abs(after[g] - before[g]) < 5 for g in before)
    for g in before:  # a small change anywhere in the section withholds its categories
        assert gender[g]["current"] == (None if small else after[g]), (g, small)
    for figure in revised["figures"]:  # a small change is a small count: never shown
        if isinstance(figure["delta"], int) and figure["metric"] != "step_rate":
            assert figure["delta"] == 0 or abs(figure["delta"]) >= 5, figure
        if figure["delta"] is None and figure["submitted"] is not None:
            assert figure["current"] is None or figure["metric"].endswith("rate"), figure
    # every figure of the pack is kept and compared: per project, per month, per target
    per_project = {f["group"]: f for f in revised["figures"]
                   if f["section"] == "project" and f["metric"] == "reached"}  # fmt: skip
    assert {p: f["submitted"] for p, f in per_project.items()} == {
        p: frame.height for p, frame in june.items()
    }
    assert per_project["WGTW-ANT"]["current"] == corrected.height
    months = {f["group"]: f["submitted"] for f in revised["figures"]
              if f["section"] == "reached_month"}  # fmt: skip
    truth = pl.concat(june.values()).group_by(pl.col("reached_on").dt.truncate("1mo")).len()
    assert months and all(
        months[str(month)] in (None, n) for month, n in truth.iter_rows()
    )  # each month as counted, or withheld
    reached_target = next(f for f in revised["figures"] if f["section"] == "target"
                          and f["group"] == "WGTW-LIM 2021-01-01..2023-12-31")  # fmt: skip
    assert reached_target["metric"] == "reached"
    assert (
        reached_target["submitted"]
        == june["WGTW-LIM"].filter(pl.col("reached_on") >= dt.date(2021, 1, 1)).height
    )
    # what is compared, said: the submission and, per project, the extract then and now
    assert revised["sha256"] == shown["sha256"] and revised["withdrawn_at"] is None
    assert revised["vintage"] == [
        {"project": p, "submitted": JUNE.isoformat(), "current": "2023-07-31"} for p in sorted(june)
    ]
    code, printed, _ = _run(capsys, "revisions", "--warehouse", str(warehouse),
                            "--submission", shown["submission_id"])  # fmt: skip
    assert code == 0 and printed.startswith(f"submission {shown['submission_id']}")
    assert f"data as of {JUNE.isoformat()}" in printed
    assert all(f"{p}" in printed for p in june) and "2023-07-31" in printed


def test_a_submission_keeps_its_selections_vintage_and_the_list_tells_them_apart(
    warehouse, tmp_path, capsys
):
    """A Limburg-only submission stored every project's snapshot as its vintage, and the
    list showed neither the projects nor the data date, so two of one period looked alike
    (found in review)."""
    lim = _submit(capsys, warehouse, tmp_path / "lim.zip", "--project", "WGTW-LIM",
                  "--as-of", JUNE.isoformat())  # fmt: skip
    _submit(capsys, warehouse, tmp_path / "all.zip")
    code, printed, _ = _run(capsys, "submissions", "list", "--warehouse", str(warehouse), "--json")
    listed = {s["submission_id"]: s for s in json.loads(printed)}
    assert list(listed[lim["submission_id"]]["snapshots"]) == ["WGTW-LIM"]
    code, printed, _ = _run(capsys, "submissions", "list", "--warehouse", str(warehouse))
    lines = {line.split()[0]: line for line in printed.splitlines()}
    assert f"as of {JUNE.isoformat()}  projects WGTW-LIM  by" in lines[lim["submission_id"]]
    other = next(line for i, line in lines.items() if i != lim["submission_id"])
    assert "data of that day  projects WGTW-ANT,WGTW-LIM" in other
    # one made before its vintage was narrowed holds every project's snapshot: the list
    # still names the projects its selection covers
    import duckdb

    con = duckdb.connect(str(warehouse))
    con.execute("UPDATE ops.submissions SET snapshots = (SELECT max(snapshots) FROM "
                "ops.submissions WHERE submission_id <> $id) WHERE submission_id = $id",
                {"id": lim["submission_id"]})  # fmt: skip
    con.close()
    code, printed, _ = _run(capsys, "submissions", "list", "--warehouse", str(warehouse))
    assert "projects WGTW-LIM  by" in printed


def test_revisions_of_an_unchanged_selection_say_so(warehouse, tmp_path, capsys):
    """Nothing loaded since the submission: the text output was empty, which reads as a
    failure (found in review). It names the submission and says nothing changed."""
    shown = _submit(capsys, warehouse, tmp_path / "pack.zip")
    code, printed, _ = _run(capsys, "revisions", "--warehouse", str(warehouse),
                            "--submission", shown["submission_id"])  # fmt: skip
    assert code == 0 and printed.splitlines()[0].startswith("submission ")
    assert printed.rstrip().endswith("no figure has changed")
    _run(capsys, "submissions", "withdraw", shown["submission_id"], "--warehouse",
         str(warehouse), "--reason", "wrong period", "--by", "An")  # fmt: skip
    code, printed, _ = _run(capsys, "revisions", "--warehouse", str(warehouse),
                            "--submission", shown["submission_id"])  # fmt: skip
    assert "WITHDRAWN" in printed and "by An: wrong period" in printed


def test_a_small_change_cannot_be_worked_out_from_its_section(warehouse, tmp_path, capsys, history):
    """The review's subtraction: M +2 withheld, but F -8, X 0 and the total -6 shown give it
    back. A section with a withheld small change shows no category's current value."""
    import polars as pl

    from tests.conftest import write_csv

    lim = history[2]["WGTW-LIM"]
    shown = _submit(capsys, warehouse, tmp_path / "pack.zip")  # the whole site
    women = lim.with_row_index().filter(pl.col("gender") == "F")["index"].to_list()
    flipped, gone = set(women[:2]), set(women[2:8])
    later = (
        lim.with_row_index()
        .filter(~pl.col("index").is_in(list(gone)))
        .with_columns(
            pl.when(pl.col("index").is_in(list(flipped))).then(pl.lit("M"))
            .otherwise(pl.col("gender")).alias("gender"),
            pl.lit(dt.date(2023, 8, 31)).alias("extract_date"),
        )
        .drop("index")
    )  # fmt: skip
    write_csv(later, tmp_path / "night")
    run_load(tmp_path / "night", warehouse, tmp_path / "q")
    code, printed, err = _run(
        capsys, "revisions", "--warehouse", str(warehouse), "--submission",
        shown["submission_id"], "--json",
    )  # fmt: skip
    assert code == 0, err
    gender = {f["group"]: f for f in json.loads(printed)["figures"] if f["section"] == "gender"}
    assert gender["total"]["delta"] == -6
    assert None not in (gender["M"]["submitted"], gender["F"]["submitted"])  # both were sent
    assert all(gender[g]["current"] is None and gender[g]["delta"] is None
               for g in gender if g != "total"), gender  # fmt: skip


def test_the_audit_trail_takes_one_line_of_who_and_why(warehouse, tmp_path, capsys):
    for by in ("", "Jan\n85.07.30-033.61", "x" * 201):
        code, _, err = _run(
            capsys, "submit", "--warehouse", str(warehouse), "--report", "esf",
            "--period-from", "2021-01-01", "--period-to", "2023-12-31", "--by", by,
            "--out", str(tmp_path / "p.zip"),
        )  # fmt: skip
        assert code == 2 and "--by" in err and "85.07" not in err
    code, _, err = _run(
        capsys, "submit", "--warehouse", str(warehouse), "--report", "esf",
        "--period-from", "2021-01-01", "--period-to", "2023-12-31", "--by", "An",
        "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 2 and "is a folder" in err
    assert not (tmp_path / "p.zip").exists()


def test_a_warehouse_from_before_history_answers_in_words(warehouse, tmp_path, capsys):
    import duckdb

    con = duckdb.connect(str(warehouse))
    for table in ("ops.snapshot_history", "raw.trajectory_versions", "ops.submissions"):
        con.execute(f"DROP TABLE {table}")
    con.close()
    code, _, err = _run(capsys, "metrics", "--warehouse", str(warehouse), "--as-of", "2023-07-01")
    assert code == 2 and "no history yet" in err
    code, printed, _ = _run(capsys, "submissions", "list", "--warehouse", str(warehouse), "--json")
    assert code == 0 and json.loads(printed) == []
    code, _, err = _run(capsys, "revisions", "--warehouse", str(warehouse), "--submission", "x")
    assert code == 2 and "no submission" in err


def _genders(frames) -> dict[str, int]:
    import polars as pl

    counts = pl.concat(frames).group_by("gender").len()
    return dict(counts.iter_rows())


def test_an_out_that_is_no_zip_is_refused_and_the_warehouse_kept(warehouse, tmp_path, capsys):
    """`--out <the warehouse>` once overwrote the warehouse with the ZIP (found in review)."""
    before = warehouse.read_bytes()
    code, _, err = _run(
        capsys, "submit", "--warehouse", str(warehouse), "--report", "esf",
        "--period-from", "2021-01-01", "--period-to", "2023-12-31", "--by", "An",
        "--out", str(warehouse),
    )  # fmt: skip
    assert code == 2 and ".zip" in err
    code, _, err = _run(capsys, "submissions", "export", "x", "--warehouse", str(warehouse),
                        "--out", str(warehouse))  # fmt: skip
    assert code == 2 and ".zip" in err
    assert warehouse.read_bytes() == before


def test_a_submission_of_no_project_or_of_the_future_is_refused(warehouse, tmp_path, capsys):
    for extra in (["--project", "NOPE"], ["--as-of", "2099-01-01"]):
        code, _, err = _run(
            capsys, "submit", "--warehouse", str(warehouse), "--report", "esf",
            "--period-from", "2021-01-01", "--period-to", "2023-12-31", "--by", "An",
            "--out", str(tmp_path / "p.zip"), *extra,
        )  # fmt: skip
        assert code == 2 and "Traceback" not in err and "NOPE" not in err
    assert not (tmp_path / "p.zip").exists()


def test_a_rate_is_withheld_with_the_small_change_of_a_part():
    """0,6454545 beside a submitted 1915/2966 gave a withheld +2 and +4 back."""
    from werkpad.submissions import _close_rates

    rows = [
        {"section": "headline", "group": None, "metric": "decided", "submitted": 2966,
         "current": None, "delta": None, "changed": False},
        {"section": "headline", "group": None, "metric": "stepped", "submitted": 1915,
         "current": None, "delta": None, "changed": False},
        {"section": "headline", "group": None, "metric": "step_rate", "submitted": 0.6456,
         "current": 0.6454545, "delta": -0.0001, "changed": False},
        {"section": "headline", "group": None, "metric": "nec_share", "submitted": 0.5,
         "current": 0.51, "delta": 0.01, "changed": False},
    ]  # fmt: skip
    closed = {r["metric"]: r for r in _close_rates(rows)}
    assert closed["step_rate"]["current"] is None and closed["step_rate"]["delta"] is None
    assert closed["nec_share"]["current"] == 0.51  # its parts are shown


def test_a_selection_withheld_whole_today_is_told_apart_from_no_change():
    """A period ending inside a quarter, once the data reach past it, is withheld whole: the
    page said "no figure has noticeably changed" (found in review); it must say why none
    can be shown."""
    from werkpad.submissions import withheld_whole

    row = {"section": "headline", "group": None, "metric": "reached", "delta": None}
    assert withheld_whole([row | {"submitted": 955, "current": None}])
    assert not withheld_whole([row | {"submitted": 955, "current": 883}])
    assert not withheld_whole([row | {"submitted": None, "current": None}])


def test_steering_compares_a_period_that_now_cuts_a_quarter(warehouse, history, tmp_path, capsys):
    """The issue's own case: a pack up to the end of the July data, then August's extract
    arrives. For a scoped reader that period now cuts a quarter and is withheld whole; the
    steering secretary sees submitted, current and the difference (found in review)."""
    from tests.conftest import later_extract, write_csv
    from werkpad import submissions
    from werkpad.warehouse import connect_read_only

    july = dt.date(2023, 7, 31)
    code, printed, _ = _run(
        capsys, "submit", "--warehouse", str(warehouse), "--report", "esf", "--json",
        "--period-from", "2021-01-01", "--period-to", july.isoformat(), "--by", "An",
        "--out", str(tmp_path / "p.zip"),
    )  # fmt: skip
    assert code == 0
    chosen = json.loads(printed)["submission_id"]
    august = later_extract(history[3], dt.date(2023, 8, 31), 50, offset=3)
    later = ["exploration_started_on", "decision_on", "decision", "step_type",
             "trajectory_started_on", "job_started_on", "job_circuit", "employed_3m",
             "ended_on", "end_reason", "warm_handover"]  # fmt: skip
    newcomers = august.head(20).with_columns(  # 20 people first met in August
        pl.format("ANT-2023-90{}", pl.int_range(10, 30).cast(pl.String)).alias("trajectory_id"),
        pl.lit(dt.date(2023, 8, 10)).alias("reached_on"),
        *(pl.lit(None, dtype=august.schema[c]).alias(c) for c in later),
    )
    august = pl.concat([august, newcomers])
    write_csv(august, tmp_path / "night4")
    run_load(tmp_path / "night4", warehouse, tmp_path / "q")
    con = connect_read_only(warehouse)
    try:
        record = submissions.submission(con, chosen)
        scoped = submissions.revisions(con, record)
        steering = submissions.revisions(con, record, suppressed=False)
    finally:
        con.close()
    assert submissions.withheld_whole(scoped)
    reached = next(r for r in steering if r["section"] == "headline" and r["metric"] == "reached")
    assert reached["submitted"] is not None and reached["current"] is not None
    assert reached["delta"] == reached["current"] - reached["submitted"]
    # the CLI says why, and compares unsuppressed when asked (it printed only the reason)
    code, printed, _ = _run(capsys, "revisions", "--warehouse", str(warehouse),
                            "--submission", chosen)  # fmt: skip
    assert code == 0 and "--unsuppressed" in printed and "reached" not in printed
    code, printed, _ = _run(capsys, "revisions", "--warehouse", str(warehouse),
                            "--submission", chosen, "--unsuppressed", "--json")  # fmt: skip
    shown = json.loads(printed)
    assert code == 0 and shown["suppressed"] is False
    cli = next(f for f in shown["figures"] if f["section"] == "headline"
               and f["metric"] == "reached")  # fmt: skip
    assert (cli["submitted"], cli["current"], cli["delta"]) == (
        reached["submitted"],
        reached["current"],
        reached["delta"],
    )
