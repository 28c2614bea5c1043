"""`werkpad`: the command line of the product. `werkpad --help` documents every command.

Each command is a small function that parses nothing itself: argparse does that, and the work
is done by the modules it calls. To add a command, add a `_cmd_<name>` function and register it
in `build_parser` with a help text (tests/test_cli.py fails on an undocumented option).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

from werkpad import config
from werkpad.access import ROLES
from werkpad.rendering.i18n import DEFAULT_LANGUAGE, LANGUAGES
from werkpad.site import SiteSettingsError, current_settings, current_site


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return int(text)


def _cmd_sample(args: argparse.Namespace) -> int:
    from sample_data.faulty import write_faulty
    from sample_data.generator import generate, shared_rows
    from sample_data.placements import generate_placements
    from sample_data.writer import write_placements, write_sample

    frames = generate(
        args.rows, args.seed, args.extract_date, args.project or None, programmes=True
    )
    paths = write_sample(frames, args.out, fmt=args.format)
    paths += write_placements(generate_placements(frames, args.seed), args.out, args.format)
    if args.faulty and shared_rows(frames):
        paths += list(write_faulty(shared_rows(frames), args.out, args.extract_date))
    for path in paths:
        print(path)
    return config.EXIT_OK


def _cmd_load(args: argparse.Namespace) -> int:
    from pipelines.findings import FileResult
    from pipelines.load import LoadFailure, inbox_files, run_load

    if not args.inbox.is_dir():
        print(f"werkpad load: inbox is not a folder: {args.inbox}", file=sys.stderr)
        return config.EXIT_USAGE
    quarantine = args.quarantine or args.inbox.parent / "quarantine"
    progress: Callable[[FileResult], None] | None = None
    if sys.stderr.isatty() and not args.json:
        from tqdm import tqdm

        bar = tqdm(total=len(inbox_files(args.inbox)), unit="file", desc="werkpad load")

        def show(result: FileResult) -> None:
            bar.set_postfix_str(result.file)
            bar.update()

        progress = show
    try:
        result = run_load(
            args.inbox,
            args.warehouse,
            quarantine,
            on_file=progress,
            accept_drop=frozenset(args.accept_drop or ()),
        )
    except LoadFailure as failure:
        logging.getLogger("werkpad").debug("the run stopped", exc_info=True)
        print(f"werkpad load: {failure}", file=sys.stderr)
        return config.EXIT_ENVIRONMENT
    if args.json:
        print(
            json.dumps(
                {"run_id": result.run_id, "files": [f.as_json() for f in result.files]},
                indent=2,
                default=str,
            )
        )
    else:
        for f in result.files:
            print(_file_line(f))
        print(_summary_line(result))
    return config.EXIT_REFUSED if result.refused else config.EXIT_OK


def _file_line(f) -> str:
    """One line per file: status, label, then rows or the rules it broke and its report."""
    if f.status == "loaded":
        detail = f"{f.rows} rows"
    elif f.findings:
        detail = ", ".join(dict.fromkeys(x.rule for x in f.findings))
        detail += f"; report {f.report}" if f.report else ""
    else:
        detail = ""
    return f"{f.status:10} {f.file}" + (f": {detail}" if detail else "")


def _summary_line(result) -> str:
    from pipelines.ledger import STATUSES

    counts = {s: sum(f.status == s for f in result.files) for s in STATUSES}
    return f"run {result.run_id}: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n)


def _cmd_metrics(args: argparse.Namespace) -> int:
    from werkpad import metrics
    from werkpad.report_pack import lineage

    filters = {
        "programme": args.programme,
        "project": args.project,
        "reached_from": args.reached_from,
        "reached_to": args.reached_to,
    }
    with _reading(args, as_of=True) as con:
        read = lineage(con, filters)
        # zeros, or one project's figures silently without the other's, would read as
        # "nobody", not "no data yet"
        if missing := sorted(set(args.project or ()) - set(read)):
            when = f" on or before {args.as_of}" if args.as_of else ""
            raise Refused(f"--project: no accepted extract of {', '.join(missing)}{when}")
        figures = metrics.headline(con, filters)
        network = _placements(con, filters)
    if args.json:
        vintage = {"as_of": _plain(args.as_of),
                   "extract_dates": {p: d.isoformat() for p, d in read.items()}}  # fmt: skip
        extra = {"vintage": vintage} | ({"placements": network} if network else {})
        print(json.dumps(figures | extra, indent=2))
    else:
        for metric in metrics.load_metrics():
            print(f"{metric.label:36} {figures[metric.name]}")
        dates = ", ".join(f"{p} {d}" for p, d in read.items()) or "-"
        print(f"{'data as of ' + str(args.as_of) if args.as_of else 'current data'}; "
              f"extract per project: {dates}")  # fmt: skip
    return config.EXIT_OK


class Refused(Exception):
    """A command cannot do what was asked: main() prints `werkpad <command>: <reason>` on one
    line and exits with EXIT_USAGE, so each command states its reason once."""


@contextlib.contextmanager
def _reading(args: argparse.Namespace, as_of: bool = False) -> Iterator[Any]:
    """A read-only connection to --warehouse, closed however the command ends; with as_of,
    reading the data as of --as-of (pipelines.vintage) when that option is given."""
    from werkpad.warehouse import connect_read_only

    if not args.warehouse.exists():
        raise Refused(f"no warehouse at {args.warehouse}")
    con = connect_read_only(args.warehouse)
    try:
        if as_of:
            _use_as_of(con, args.as_of)
        yield con
    finally:
        con.close()


def _placements(con: Any, filters: dict[str, Any]) -> dict[str, Any] | None:
    """The employer-network metrics for placements started in the same range, when the
    warehouse holds placements (issue 13); None otherwise."""
    from werkpad.metrics.placements import compute_placements
    from werkpad.warehouse import has_table

    if not has_table(con, "marts", "fct_placements"):
        return None
    figures = compute_placements(con, filters)
    return figures if figures.get("placements") else None


def _use_as_of(con: Any, as_of: dt.date | None) -> None:
    """Make the connection read the data as of that date; Refused, saying why, when no
    project had data by then or the warehouse keeps no history yet."""
    if as_of is None:
        return
    from pipelines.vintage import NoDataYet, NoHistoryYet, use_vintage

    try:
        use_vintage(con, as_of)
    except NoHistoryYet:
        raise Refused("this warehouse keeps no history yet; the next load starts it") from None
    except NoDataYet:
        raise Refused(f"no accepted extract on or before {as_of}") from None


AUDIT_TEXT_LIMIT = 200  # characters of a name or a reason in the submissions' audit trail


def _audit_text_problem(option: str, value: str) -> str | None:
    """Why a --by or --reason cannot go into the audit trail, never quoting it: empty, more
    than one line or a control character, or longer than AUDIT_TEXT_LIMIT."""
    if not value.strip():
        return f"{option} is empty: the audit trail needs who and why"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return f"{option} holds a line break or another control character: give one line"
    if len(value) > AUDIT_TEXT_LIMIT:
        return f"{option} is longer than {AUDIT_TEXT_LIMIT} characters"
    return None


def _out_problem(out: Path) -> str | None:
    """Why a ZIP cannot be written at --out: a folder there, no folder to put it in, or a
    name that is not a .zip (a mistyped --out once overwrote the warehouse with the ZIP)."""
    if out.is_dir():
        return f"--out {out} is a folder: give a file name ending in .zip"
    if out.suffix.lower() != ".zip":
        return f"--out {out.name} does not end in .zip: give the ZIP's file name"
    if not out.parent.is_dir():
        return f"--out: the folder {out.parent} does not exist"
    return None


def _cmd_submit(args: argparse.Namespace) -> int:
    """Build the funder report pack from the chosen vintage, keep it in the warehouse with
    every figure in it, and write the ZIP."""
    from pipelines.submissions import store
    from werkpad import submissions
    from werkpad.report_pack import build_pack

    if args.period_from > args.period_to:
        raise Refused("--period-from is after --period-to")
    if problem := _audit_text_problem("--by", args.by) or _out_problem(args.out):
        raise Refused(problem)
    if args.as_of and args.as_of > dt.date.today():
        raise Refused("--as-of lies in the future: a submission is frozen as it stands today")
    settings = current_settings()
    threshold, lang = settings.report_threshold, args.lang or settings.language
    with _reading(args, as_of=True) as con:
        from werkpad.sql import load_sql

        known = set(con.sql(load_sql("queries/projects")).pl()["project_code"])
        if unknown := sorted(set(args.project or []) - known):
            raise Refused(f"--project: {len(unknown)} of the codes given is no project here")
        pack = build_pack(
            con, args.out, args.period_from, args.period_to, args.project, threshold, lang,
            as_of=args.as_of,
        )  # fmt: skip
        record = submissions.new_record(
            con, pack, report=args.report, period=(args.period_from, args.period_to),
            threshold=threshold, lang=lang, as_of=args.as_of, by=args.by,
            now=dt.datetime.now().replace(microsecond=0),
        )  # fmt: skip
    store(args.warehouse, record)
    if args.json:
        as_of = args.as_of.isoformat() if args.as_of else None
        print(json.dumps({"submission_id": record["submission_id"], "sha256": record["sha256"],
                          "as_of": as_of, "figures": json.loads(record["figures"])},
                         indent=2))  # fmt: skip
    else:
        print(f"{record['submission_id']}  {args.out}  sha256 {record['sha256']}")
    return config.EXIT_OK


def _cmd_submissions(args: argparse.Namespace) -> int:
    from pipelines.submissions import withdraw
    from werkpad import submissions
    from werkpad.sql import load_sql

    problem = None
    if args.action == "export":
        problem = _out_problem(args.out)
    elif args.action == "withdraw":
        args.by = args.by or _account()
        problem = (
            "--by: name who withdraws (the account is unknown)"
            if not args.by
            else _audit_text_problem("--reason", args.reason)
            or _audit_text_problem("--by", args.by)
        )
    if problem:
        raise Refused(problem)
    with _reading(args) as con:
        listed = submissions.submissions(con)
        projects = con.sql(load_sql("queries/projects")).pl()
        provinces = dict(projects.select("project_code", "province_code").iter_rows())
        try:
            found = submissions.pack_bytes(con, args.id) if args.action == "export" else None
        except submissions.PackAltered:
            raise Refused(
                f"the pack kept for {args.id} no longer matches its SHA-256: it was changed "
                "in the warehouse after it was submitted, and is not exported"
            ) from None
    if args.action == "list":
        rows = [
            {k: _plain(v) for k, v in s.items() if k not in ("figures", "selection", "snapshots")}
            | {
                "selection": json.loads(s["selection"]),
                "snapshots": json.loads(s["snapshots"]),
                # the projects its selection covers that had delivered when it was made
                "covered": sorted(
                    submissions.projects_of(s, provinces) & set(json.loads(s["snapshots"]))
                ),
            }
            for s in listed
        ]
        if args.json:
            print(json.dumps(rows, indent=2))
        for s in [] if args.json else rows:  # two of one period told apart: data, projects
            state = f"withdrawn {s['withdrawn_at']}" if s["withdrawn_at"] else "in force"
            read = f"as of {s['as_of']}" if s["as_of"] else "data of that day"
            print(f"{s['submission_id']}  {s['period_from']}..{s['period_to']}  {read}  "
                  f"projects {','.join(sorted(s['covered'])) or '-'}  "
                  f"by {s['submitted_by']}  {state}  sha256 {s['sha256']}")  # fmt: skip
        return config.EXIT_OK
    if not any(s["submission_id"] == args.id for s in listed):
        raise Refused(f"no submission {args.id!r}")
    if args.action == "export":
        assert found is not None
        args.out.write_bytes(found[0])
        print(f"{args.out}  sha256 {found[1]}")
        return config.EXIT_OK
    if not withdraw(args.warehouse, args.id, args.by, args.reason, dt.datetime.now()):
        raise Refused(f"{args.id} was withdrawn before")
    print(f"{args.id} withdrawn")
    return config.EXIT_OK


def _account() -> str | None:
    """The account running the command, from the environment or the system's user database:
    who a withdrawal is logged as without --by (it was logged as "unknown" when $USER was
    unset, as under cron; found in review). None when neither knows."""
    try:
        return getpass.getuser() or None
    except (KeyError, OSError):
        return None


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def _cmd_revisions(args: argparse.Namespace) -> int:
    from werkpad import submissions

    with _reading(args) as con:
        record = submissions.submission(con, args.submission)
        if record is None:
            raise Refused(f"no submission {args.submission!r}")
        changes = submissions.revisions(con, record, suppressed=not args.unsuppressed)
        vintage = submissions.vintages(con, record)
        try:
            submissions.pack_bytes(con, args.submission)
        except submissions.PackAltered:  # said on stderr, in text and JSON alike
            print(f"werkpad revisions: the pack kept for {args.submission} no longer matches "
                  "its SHA-256: it was changed in the warehouse after it was submitted",
                  file=sys.stderr)  # fmt: skip
    if args.json:
        figures = [{k: c[k] for k in ("section", "group", "metric", "submitted", "current",
                                      "delta")} for c in changes]  # fmt: skip
        about = {k: _plain(record[k]) for k in ("sha256", "submitted_at", "submitted_by",
                                                "withdrawn_at", "as_of")}  # fmt: skip
        print(json.dumps({"submission_id": args.submission, **about,
                          "suppressed": not args.unsuppressed,
                          "vintage": [{k: _plain(v) for k, v in row.items()} for row in vintage],
                          "figures": figures}, indent=2))  # fmt: skip
        return config.EXIT_OK
    print("\n".join(_revision_header(record, vintage)))
    if submissions.withheld_whole(changes):
        print("every current figure is withheld: the period ends inside a quarter and the data "
              "now reach past its end, so that part of a quarter is never published; "
              "--unsuppressed compares them for the steering committee's own reading")  # fmt: skip
        return config.EXIT_OK
    listed = [c for c in changes if c["changed"] or c["delta"]]
    for c in listed:
        mark = "!" if c["changed"] else " "
        values = [_shown(c[k]) for k in ("submitted", "current", "delta")]
        print(f"{mark} {c['section']:16} {c['group'] or '':24} {c['metric']:20} "
              f"{values[0]} -> {values[1]} ({values[2]})")  # fmt: skip
    if not listed:  # never an empty answer that reads as a failure
        withheld = sum(c["current"] is None and c["submitted"] is not None for c in changes)
        print("no figure has changed" + (f"; {withheld} withheld today (x)" if withheld else ""))
    return config.EXIT_OK


def _revision_header(record: dict[str, Any], vintage: list[dict[str, Any]]) -> list[str]:
    """What a revision compares: the submission (id, hash, who, when, the data it was read
    from, withdrawn or not) and, per project, the extract then and now."""
    read = f"data as of {record['as_of']}" if record["as_of"] else "data of that day"
    lines = [
        f"submission {record['submission_id']}  sha256 {record['sha256']}",
        f"submitted {record['submitted_at']:%Y-%m-%d %H:%M} by {record['submitted_by']}, {read}",
    ]
    if record["withdrawn_at"]:
        lines.append(f"WITHDRAWN {record['withdrawn_at']:%Y-%m-%d %H:%M} by "
                     f"{record['withdrawn_by']}: {record['withdrawn_reason']}")  # fmt: skip
    lines.append(f"{'extract per project':24}{'submitted':12}today")
    for row in vintage:
        then, now = (str(row[k] or "-") for k in ("submitted", "current"))
        lines.append(f"  {row['project']:22}{then:12}{now}")
    return lines


def _shown(value: Any) -> str:
    return "x" if value is None else str(value)


def _cmd_progress(args: argparse.Namespace) -> int:
    from werkpad import targets

    with _reading(args, as_of=True) as con:  # `--on` a past day judges today's data
        newest = targets.data_date(con)
        if newest is None:
            raise Refused("the warehouse holds no data yet")
        on = args.on or newest
        known = {t.project_code for t in targets.read_targets(con)}
        unknown = sorted(set(args.project or ()) - known)
        if unknown:  # a typo must not read as "no targets"
            raise Refused(f"no targets for project {unknown[0]}")
        # without --on, each target on its own project's data date
        rows = targets.progress(con, args.on, current_settings().bands, projects=args.project)
    if args.json:
        print(json.dumps({"on": str(on), "as_of": _plain(args.as_of),
                          "targets": [r.as_json() for r in rows]}, indent=2))  # fmt: skip
        return config.EXIT_OK
    print(
        f"targets on {on}" if args.on else f"targets on each project's data date ({on} the newest)"
    )
    print(_progress_table(rows))
    return config.EXIT_OK


def _progress_table(rows: list) -> str:
    """A plain aligned table: rates as percentages, counts as whole numbers."""

    def shown(value: float | None, rate: bool) -> str:
        if value is None:
            return "-"
        return f"{value:.1%}" if rate else f"{value:,.0f}"

    head = ("project", "metric", "period", "target", "actual", "expected", "achieved", "status")
    lines = [head]
    for r in rows:
        lines.append((
            r.project_code, r.metric, f"{r.period_from}..{r.period_to}",
            shown(r.target, r.is_rate), shown(r.actual, r.is_rate),
            shown(r.expected, r.is_rate), shown(r.achievement, True), r.status or "-",
        ))  # fmt: skip
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def _cmd_report(args: argparse.Namespace) -> int:
    from werkpad.report_pack import build_pack

    if args.period_from > args.period_to:
        raise Refused("--period-from is after --period-to")
    if problem := _out_problem(args.out):
        raise Refused(problem)
    settings = current_settings()
    threshold = args.threshold or settings.report_threshold
    if threshold < settings.suppression_threshold:
        raise Refused(
            f"--threshold must be at least {settings.suppression_threshold}, the dashboard's "
            "(a pack never shows what the dashboard withholds)"
        )
    with _reading(args, as_of=True) as con:
        filters = {
            "programme": args.programme or [],
            "province": args.province or [],
            "region": args.region or [],
        }
        pack = build_pack(
            con, args.out, args.period_from, args.period_to, args.project, threshold,
            args.lang or settings.language, filters=filters, as_of=args.as_of,
        )  # fmt: skip
    print(f"{pack.path} ({pack.withheld} figures withheld below {threshold})")
    return config.EXIT_OK


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise ValueError("the passwords differ")
    return first


def _cmd_users(args: argparse.Namespace) -> int:
    from werkpad.access import User, UserFile, hash_password

    users = UserFile(args.users)
    try:
        if args.action == "add":
            password_hash = ""  # signed in by the identity provider only
            if not args.no_password:
                password = _read_password(args)
                if len(password) < 12:
                    raise ValueError("a password has at least 12 characters")
                password_hash = hash_password(password)
            users.add(
                User(
                    args.name,
                    args.role,
                    tuple(args.province or ()),
                    tuple(args.project or ()),
                    password_hash,
                )
            )
            print(f"added {args.name} ({args.role})")
        elif args.action == "remove":
            if not users.remove(args.name):
                raise ValueError(f"no user {args.name}")
            print(f"removed {args.name}")
        else:
            for user in users.load().values():
                scope = ", ".join([*user.provinces, *user.projects]) or "all"
                print(f"{user.name}\t{user.role}\t{scope}")
    except ValueError as exc:
        print(f"werkpad users: {exc}", file=sys.stderr)
        return config.EXIT_USAGE
    return config.EXIT_OK


def _cmd_contract(args: argparse.Namespace) -> int:
    from werkpad.contract import all_contracts
    from werkpad.contract_docs import render_contract

    chosen = next(c for c in all_contracts() if c.name == args.name)
    print(render_contract(chosen), end="")
    return config.EXIT_OK


def _streamlit_command(warehouse: Path, host: str, port: int) -> list[str]:
    """Streamlit's `run`, through dashboard.serve (libraries imported before any
    session, no /_stcore/metrics); users see no error details, only a generic message; the
    theme's colours are dashboard.THEME (contrast checked)."""
    from dashboard import APP as app
    from dashboard import THEME

    theme = [arg for key, value in THEME.items() for arg in (f"--theme.{key}", value)]
    return [
        sys.executable,
        "-m",
        "dashboard.serve",
        "run",
        str(app),
        "--server.headless",
        "true",
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "viewer",
        "--client.showErrorDetails",
        "none",
        # Streamlit runs a full gc.collect(2) after every rerun, holding the GIL ~150 ms over
        # the libraries' millions of objects before the browser hears the run has ended: most
        # of a filter change's wait (benchmarks/bench_browser.py). Python's own generational
        # collector still runs; dashboard.serve freezes the startup objects out of its way.
        "--runner.postScriptGC",
        "false",
        *theme,
        "--",
        "--warehouse",
        str(warehouse),
    ]


def _cmd_serve(args: argparse.Namespace) -> int:
    if not args.warehouse.exists():
        print(
            f"werkpad serve: no warehouse at {args.warehouse}; run `werkpad demo` or "
            "`werkpad load` first",
            file=sys.stderr,
        )
        return config.EXIT_USAGE
    print(f"werkpad dashboard on http://{args.host}:{args.port}", file=sys.stderr)
    env = os.environ | {"WERKPAD_WAREHOUSE": str(args.warehouse)}
    if os.environ.get("WERKPAD_SITE"):  # the site's user file, unless WERKPAD_USERS says
        env.setdefault("WERKPAD_USERS", str(current_site().users))
    if getattr(args, "demo", False):
        env["WERKPAD_DEMO"] = "1"  # no login; the dashboard shows a banner saying so
    else:
        env.pop("WERKPAD_DEMO", None)
    # exec, not a child: a signal to `werkpad serve` (systemd, Ctrl-C, a test) reaches the
    # server itself, and no orphaned server outlives it
    command = _streamlit_command(args.warehouse, args.host, args.port)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, env)


def _cmd_demo(args: argparse.Namespace) -> int:
    from pipelines.load import run_load
    from sample_data.faulty import write_faulty
    from sample_data.generator import DEFAULT_EXTRACT_DATE, generate, shared_rows
    from sample_data.placements import generate_placements
    from sample_data.writer import write_placements, write_sample

    inbox = config.DEMO_DIR / "inbox"
    frames = generate(config.SAMPLE_DEFAULT_ROWS, config.SAMPLE_DEFAULT_SEED, programmes=True)
    write_sample(frames, inbox)
    write_placements(generate_placements(frames, config.SAMPLE_DEFAULT_SEED), inbox)
    write_faulty(shared_rows(frames), inbox, DEFAULT_EXTRACT_DATE)
    result = run_load(inbox, config.DEFAULT_WAREHOUSE, config.DEMO_DIR / "quarantine")
    for f in result.files:
        print(f"{f.status:10} {f.file}", file=sys.stderr)
    args.warehouse, args.demo = config.DEFAULT_WAREHOUSE, True
    return _cmd_serve(args)


AS_OF_HELP = (
    "the data as it was on this date (YYYY-MM-DD): per project the newest extract accepted "
    "with an extract date on or before it (default: the current data)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="werkpad",
        description="Results dashboard for outreach-to-work programmes: validated nightly "
        "loads of partner extracts into DuckDB, metrics and a dashboard.",
        epilog="Exit codes: 0 ok, 2 usage error, 3 at least one file refused (werkpad load), "
        "4 the command could not go on (environment or internal error; one line says why).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sample = sub.add_parser(
        "sample",
        help="write seeded sample extracts",
        description="Write realistic, seeded sample extracts for the demo site's programmes: "
        "the five We Go To Work projects (2021-01 to 2023-12) and Jumpstart, IPS, Werk-in-zicht "
        "and OCMW work experience as sample_data/programmes.yaml shapes them.",
    )
    sample.add_argument("--out", type=Path, required=True, help="folder to write the files to")
    sample.add_argument(
        "--rows",
        type=_positive,
        default=config.SAMPLE_DEFAULT_ROWS,
        help=f"We Go To Work trajectories in all (default {config.SAMPLE_DEFAULT_ROWS}); the "
        "other programmes keep their documented sizes",
    )
    sample.add_argument(
        "--seed",
        type=int,
        default=config.SAMPLE_DEFAULT_SEED,
        help="random seed; the same seed gives the same files",
    )
    sample.add_argument(
        "--faulty",
        action="store_true",
        help="also write one faulty file for each way an extract goes wrong",
    )
    sample.add_argument(
        "--project",
        action="append",
        metavar="CODE",
        help="only this project (repeatable); default all five",
    )
    sample.add_argument(
        "--extract-date",
        type=_date,
        default=dt.date(2023, 12, 31),
        help="snapshot date of the extracts (default 2023-12-31)",
    )
    sample.add_argument(
        "--format",
        choices=["csv"],
        default=None,
        help="force CSV for every project (default: each project's own style)",
    )
    sample.set_defaults(func=_cmd_sample)

    load = sub.add_parser(
        "load",
        help="check and load the inbox into the warehouse",
        description="Check every file in the inbox against the data contract "
        "and load the good ones; refused files go to quarantine "
        "with a report. Exit 0: none refused; 3: some refused; 4: the run could not go on "
        "(not a DuckDB warehouse, no permission, disk full): nothing was published.",
    )
    load.add_argument(
        "--inbox", type=Path, help="folder with partner extracts (default: SITE/inbox)"
    )
    load.add_argument(
        "--warehouse", type=Path, help="DuckDB warehouse file (default: SITE/warehouse.duckdb)"
    )
    load.add_argument(
        "--quarantine",
        type=Path,
        help="folder for refused files and reports (default: SITE/quarantine, else "
        "INBOX/../quarantine)",
    )
    load.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object with a list `files` instead of text lines",
    )
    load.add_argument(
        "--accept-drop",
        action="append",
        metavar="PROJECT",
        help="take this project's new snapshot even when it has far fewer rows than the live "
        "one (refused as row_drop otherwise; repeatable)",
    )
    load.set_defaults(func=_cmd_load)

    met = sub.add_parser(
        "metrics",
        help="print the headline metrics",
        description="Headline figures of the metrics layer over the "
        "trajectories first reached in the range (bounds inclusive).",
    )
    met.add_argument(
        "--warehouse", type=Path, help="DuckDB warehouse file (default: SITE/warehouse.duckdb)"
    )
    met.add_argument(
        "--programme", action="append", metavar="CODE", help="only this programme (repeatable)"
    )
    met.add_argument(
        "--project", action="append", metavar="CODE", help="only this project (repeatable)"
    )
    met.add_argument("--reached-from", type=_date, help="first contact on or after (YYYY-MM-DD)")
    met.add_argument("--reached-to", type=_date, help="first contact on or before (YYYY-MM-DD)")
    met.add_argument("--json", action="store_true", help="print one JSON object")
    met.add_argument("--as-of", type=_date, help=AS_OF_HELP)
    met.set_defaults(func=_cmd_metrics)

    prog = sub.add_parser(
        "progress",
        help="print each target's progress",
        description="Each target of the site (DIR/targets.csv, as the last load accepted it): "
        "actual, expected by the day, achievement and status (behind, at_risk, on_track, "
        "above).",
    )
    prog.add_argument(
        "--warehouse", type=Path, help="DuckDB warehouse file (default: SITE/warehouse.duckdb)"
    )
    prog.add_argument(
        "--on", type=_date, help="the day (YYYY-MM-DD; default: the data date, the newest extract)"
    )
    prog.add_argument(
        "--project", action="append", metavar="CODE", help="only this project (repeatable)"
    )
    prog.add_argument("--as-of", type=_date, help=AS_OF_HELP)
    prog.add_argument("--json", action="store_true", help="print one JSON object")
    prog.set_defaults(func=_cmd_progress)

    users = sub.add_parser(
        "users",
        help="manage dashboard users (local user file)",
        description="Manage the local user file: hashed passwords, roles and scopes, for "
        "sites without an identity provider.",
    )
    users.add_argument(
        "--users",
        type=Path,
        help=f"the user file (default: SITE/users.json, else {config.USERS_FILE}; env "
        "WERKPAD_USERS)",
    )
    actions = users.add_subparsers(
        dest="action", required=True, metavar="ACTION", help="add, remove or list"
    )
    add = actions.add_parser(
        "add",
        help="add or update a user",
        description="Add or update a user; the password is asked for.",
    )
    add.add_argument("name", help="login name (or e-mail address with an identity provider)")
    add.add_argument(
        "--role",
        required=True,
        choices=ROLES,
        help="steering: everything; funder: suppressed aggregates; "
        "project_lead: listed provinces or projects",
    )
    add.add_argument(
        "--province",
        action="append",
        metavar="CODE",
        help="province a project lead sees (repeatable)",
    )
    add.add_argument(
        "--project",
        action="append",
        metavar="CODE",
        help="project a project lead sees (repeatable)",
    )
    password = add.add_mutually_exclusive_group()
    password.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of a prompt",
    )
    password.add_argument(
        "--no-password",
        action="store_true",
        help="no local password: the identity provider signs this user in (NAME is the "
        "e-mail address it confirms)",
    )
    remove = actions.add_parser("remove", help="remove a user", description="Remove a user.")
    remove.add_argument("name", help="login name")
    actions.add_parser(
        "list",
        help="list users and scopes",
        description="List users with role and scope (never passwords).",
    )
    for action in actions.choices.values():
        action.add_argument(
            "--users", type=Path, default=argparse.SUPPRESS, help="the user file (as above)"
        )
    users.set_defaults(func=_cmd_users)

    rep = sub.add_parser(
        "report",
        help="write the funder report pack (ZIP)",
        description="Write the funder report pack for a reporting period and selection: ESF+ "
        "participants table (XLSX, CSV), headline charts (PNG, SVG) and a PDF summary (at most "
        "two A4 pages), all with small counts suppressed.",
    )
    rep.add_argument(
        "--warehouse", type=Path, help="DuckDB warehouse file (default: SITE/warehouse.duckdb)"
    )
    rep.add_argument(
        "--period-from", type=_date, required=True, help="first contact on or after (YYYY-MM-DD)"
    )
    rep.add_argument(
        "--period-to", type=_date, required=True, help="first contact on or before (YYYY-MM-DD)"
    )
    rep.add_argument(
        "--project",
        action="append",
        metavar="CODE",
        help="only this project (repeatable); default all",
    )
    for name, what in (("programme", "programme"), ("province", "province"),
                       ("region", "subregion")):  # fmt: skip
        rep.add_argument(
            f"--{name}",
            action="append",
            metavar="CODE",
            help=f"only this {what} (repeatable); default all",
        )
    rep.add_argument("--out", type=Path, required=True, help="the ZIP file to write")
    rep.add_argument(
        "--threshold",
        type=_positive,
        default=None,
        help="withhold counts below this (default: the site's report_threshold, 10)",
    )
    rep.add_argument(
        "--lang",
        choices=list(LANGUAGES),
        default=None,
        help=f"language of the pack (default: the site's language, {DEFAULT_LANGUAGE})",
    )
    rep.add_argument("--as-of", type=_date, help=AS_OF_HELP)
    rep.set_defaults(func=_cmd_report)

    sub_ = sub.add_parser(
        "submit",
        help="submit the funder report pack: frozen in the warehouse with its hash",
        description="Build the funder report pack from the chosen vintage, keep it in the "
        "warehouse with its parameters, vintage, who, when, its SHA-256 and every figure in "
        "it, and write the ZIP. A submission never changes.",
    )
    sub_.add_argument("--warehouse", type=Path, help="DuckDB warehouse file")
    sub_.add_argument("--report", choices=["esf"], required=True, help="the report (esf)")
    sub_.add_argument("--period-from", type=_date, required=True, help="first contact on or after")
    sub_.add_argument("--period-to", type=_date, required=True, help="first contact on or before")
    sub_.add_argument("--project", action="append", metavar="CODE", help="only this project")
    sub_.add_argument("--as-of", type=_date, help=AS_OF_HELP)
    sub_.add_argument("--by", required=True, metavar="NAME", help="who submits")
    sub_.add_argument("--out", type=Path, required=True, help="the ZIP file to write")
    sub_.add_argument("--lang", choices=list(LANGUAGES), default=None, help="pack language")
    sub_.add_argument("--json", action="store_true", help="print one JSON object")
    sub_.set_defaults(func=_cmd_submit)

    subs = sub.add_parser(
        "submissions", help="list, export or withdraw submissions",
        description="Submissions kept in the warehouse: list them, export one byte for byte, "
        "or withdraw one (logged, never deleted).",
    )  # fmt: skip
    subs_actions = subs.add_subparsers(dest="action", required=True, help="what to do")
    listing = subs_actions.add_parser(
        "list", help="every submission, newest first",
        description="Every submission, newest first: period, vintage, who, when, hash, state.",
    )  # fmt: skip
    listing.add_argument("--json", action="store_true", help="print JSON")
    export = subs_actions.add_parser(
        "export", help="write a submission's ZIP as submitted",
        description="Write a submission's ZIP, byte for byte as it was submitted.",
    )  # fmt: skip
    export.add_argument("id", help="the submission id")
    export.add_argument("--out", type=Path, required=True, help="the ZIP file to write")
    gone = subs_actions.add_parser(
        "withdraw", help="withdraw a submission (never deleted)",
        description="Withdraw a submission: who, when and why are logged; it is never deleted.",
    )  # fmt: skip
    gone.add_argument("id", help="the submission id")
    gone.add_argument("--reason", required=True, help="why, in words")
    gone.add_argument(
        "--by", metavar="NAME", help="who withdraws (logged); default: the signed-in account"
    )
    for action in (listing, export, gone):
        action.add_argument("--warehouse", type=Path, help="DuckDB warehouse file")
    subs.set_defaults(func=_cmd_submissions)

    rev = sub.add_parser(
        "revisions", help="what changed since a submission",
        description="Per figure of a submission: submitted, current (the same selection on "
        "today's data, suppressed the same way) and the difference.",
    )  # fmt: skip
    rev.add_argument("--warehouse", type=Path, help="DuckDB warehouse file")
    rev.add_argument("--submission", required=True, help="the submission id")
    rev.add_argument("--json", action="store_true", help="print one JSON object")
    rev.add_argument(
        "--unsuppressed", action="store_true",
        help="current figures and differences as they are, small counts too, as the steering "
        "committee sees them on the Revisions page: for its own reading, never to send",
    )  # fmt: skip
    rev.set_defaults(func=_cmd_revisions)

    con = sub.add_parser(
        "contract",
        help="print a data contract as Markdown",
        description="Print a data contract's documentation (Markdown).",
    )
    con.add_argument(
        "name",
        nargs="?",
        default="trajectories",
        choices=["trajectories", "placements"],
        help="which extract: trajectories (default) or placements",
    )
    con.set_defaults(func=_cmd_contract)

    for name, helptext in (
        ("serve", "serve the dashboard"),
        ("demo", "sample extracts, load them, serve the dashboard"),
    ):
        cmd = sub.add_parser(name, help=helptext, description=helptext.capitalize() + ".")
        if name == "serve":
            cmd.add_argument(
                "--warehouse",
                type=Path,
                help="DuckDB warehouse file (default: SITE/warehouse.duckdb, else "
                f"{config.DEFAULT_WAREHOUSE})",
            )
            cmd.add_argument(
                "--demo",
                action="store_true",
                help="local demo mode: no login, everything visible, a banner "
                "says so (never on a server others can reach)",
            )
        cmd.add_argument("--host", default="127.0.0.1", help="address to listen on")
        cmd.add_argument("--port", type=int, default=8501, help="port to listen on")
        cmd.set_defaults(func=_cmd_serve if name == "serve" else _cmd_demo)
    for command in sub.choices.values():  # every command works on one site
        command.add_argument(
            "--site",
            type=Path,
            help="the site folder: reference/, targets.csv, site.yaml, and the defaults of "
            "--inbox, --warehouse, --quarantine and the user file (env WERKPAD_SITE; default: "
            "the demo site)",
        )
    return parser


# option -> the site's path it defaults to, when a site is chosen and the option is not given
SITE_DEFAULTS = {"inbox": "inbox", "warehouse": "warehouse", "quarantine": "quarantine",
                 "users": "users"}  # fmt: skip


def _apply_site(args: argparse.Namespace) -> str | None:
    """Choose the site (`--site`, else WERKPAD_SITE) for this process and what it starts, and
    fill in the paths it gives; explicit options win. Returns a usage error, or None."""
    from werkpad.contract import default_contract

    chosen = getattr(args, "site", None) or os.environ.get("WERKPAD_SITE")
    site = None
    if chosen:
        if not Path(chosen).is_dir():
            return f"the site folder does not exist: {chosen}"
        os.environ["WERKPAD_SITE"] = str(Path(chosen).resolve())
        default_contract.cache_clear()  # its reference tables are the site's
        site = current_site()
    for option, attribute in SITE_DEFAULTS.items():
        if hasattr(args, option) and getattr(args, option) is None and site is not None:
            setattr(args, option, getattr(site, attribute))
    if getattr(args, "warehouse", "") is None and args.command in ("serve", "demo"):
        args.warehouse = config.DEFAULT_WAREHOUSE
    if getattr(args, "users", "") is None:
        args.users = config.USERS_FILE
    for option in ("inbox", "warehouse"):
        if getattr(args, option, "") is None:
            return f"give --{option} or --site"
    try:
        current_settings()  # a wrong site.yaml stops every command before it acts
    except SiteSettingsError as error:
        return str(error)
    return None


def main(argv: list[str] | None = None) -> int:
    if config.PROBLEMS:  # a setting in the environment that cannot be used: say which
        for setting in config.PROBLEMS:
            print(f"werkpad: {setting}", file=sys.stderr)
        return config.EXIT_USAGE
    parser = build_parser()
    try:
        args = _parse(parser, argv)
    except SystemExit as exc:
        return int(exc.code or 0) and config.EXIT_USAGE
    _configure_logging(args.verbose)
    problem = _apply_site(args)
    if problem:
        print(f"werkpad {args.command}: {problem}", file=sys.stderr)
        return config.EXIT_USAGE
    try:
        return args.func(args)
    except Refused as refused:
        print(f"werkpad {args.command}: {refused}", file=sys.stderr)
        return config.EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `werkpad ... | head` closed the pipe: nothing left to say
        return config.EXIT_OK
    except Exception as exc:  # one line for a person or a cron mail, never a traceback
        logging.getLogger("werkpad").debug("unexpected error", exc_info=True)
        print(
            f"werkpad {args.command}: stopped by an internal error ({type(exc).__name__}); "
            "run with -v for the details",
            file=sys.stderr,
        )
        return config.EXIT_ENVIRONMENT


def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The arguments, with -v/--verbose taken anywhere: an error says "run with -v", and a
    person adds it at the end (`werkpad load -v` was a usage error; found in review)."""
    args, rest = parser.parse_known_args(argv)
    if unknown := [a for a in rest if a not in ("-v", "--verbose")]:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.verbose = args.verbose or bool(rest)
    return args


def _configure_logging(verbose: bool) -> None:
    """Quiet by default: a nightly run's stderr is a cron mail, so it holds only warnings and
    errors; -v shows our debug detail and the libraries' own lines (GX sets some of its
    loggers to INFO itself, at import, so they are held back here, at the handler)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if not verbose:
        handler.addFilter(_ours_or_a_warning)
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler])
    for noisy in ("kaleido", "choreographer"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


# our packages' loggers: their warnings reach the log; a library's only from ERROR up
OUR_LOGGERS = ("werkpad", "pipelines", "dashboard", "sample_data")


def _ours_or_a_warning(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING and (
        record.name.split(".")[0] in OUR_LOGGERS or record.levelno >= logging.ERROR
    )


def run() -> NoReturn:
    """The `werkpad` command: main(), output flushed, then an exit without interpreter teardown.

    Why: once Great Expectations has validated through duckdb_engine (GX imported and one
    SQLAlchemy DuckDB connection suffice), DuckDB's nanobind bindings print dozens of
    `nanobind: leaked instance` lines at teardown: module constants of duckdb.sqltypes that
    GX's and SQLAlchemy's caches keep alive past the bindings' own cleanup. Harmless, but a
    cron mail full of alarming noise every night. Every file and connection is closed by then.
    """
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
