"""The command line documents itself: every command and option has help text."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sample_data.placements import placement_profiles
from werkpad.cli import _parse, build_parser, main
from werkpad.contract import default_contract


def _subparsers(parser):
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def _walk(parser, path=""):
    """Every (sub)command parser, nested ones (werkpad users add) included."""
    for name, sub in _subparsers(parser).items():
        yield f"{path}{name}", sub
        if any(isinstance(a, argparse._SubParsersAction) for a in sub._actions):
            yield from _walk(sub, f"{path}{name} ")


def test_every_command_and_option_is_documented():
    commands = dict(_walk(build_parser()))
    assert set(commands) == {
        "sample",
        "load",
        "metrics",
        "progress",
        "report",
        "contract",
        "serve",
        "demo",
        "users",
        "users add",
        "users remove",
        "users list",
        "submit",
        "submissions",
        "submissions list",
        "submissions export",
        "submissions withdraw",
        "revisions",
    }
    for name, sub in commands.items():
        assert sub.description, name
        for action in sub._actions:
            assert action.help, f"{name} {action.option_strings}"


def test_readme_mentions_every_command():
    readme = Path("README.md").read_text(encoding="utf-8")
    for name in _subparsers(build_parser()):
        assert f"werkpad {name}" in readme, name


def test_help_runs_and_usage_errors_exit_2(capsys):
    assert main(["--help"]) == 0
    assert "werkpad" in capsys.readouterr().out
    assert main(["metrics"]) == 2
    assert main(["sample", "--out", "x", "--rows", "-5"]) == 2


def test_verbose_is_taken_after_the_command_too(tmp_path, capsys):
    """An error says "run with -v"; a person adds it at the end, which was a usage error
    (found in review). Any other unknown argument still is one."""
    missing = str(tmp_path / "none.duckdb")
    for argv in (["-v", "metrics", "--warehouse", missing],
                 ["metrics", "--warehouse", missing, "-v"],
                 ["metrics", "--verbose", "--warehouse", missing]):  # fmt: skip
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "no warehouse" in err and "unrecognized" not in err, argv
    assert main(["metrics", "--warehouse", missing, "--bogus"]) == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err
    args = _parse(build_parser(), ["metrics", "--warehouse", missing, "-v"])
    assert args.verbose is True
    assert _parse(build_parser(), ["metrics", "--warehouse", missing]).verbose is False


def test_sample_command_is_seeded(tmp_path):
    def run(folder):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "werkpad.cli",
                "sample",
                "--out",
                str(folder),
                "--rows",
                "300",
                "--seed",
                "5",
            ],
            check=True,
            capture_output=True,
        )
        return {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix == ".csv"}

    first, second = run(tmp_path / "a"), run(tmp_path / "b")
    projects = default_contract().reference_rows("projects")
    trajectories = {n for n in first if "_placements_" not in n}
    assert first == second and len(trajectories) == len(projects) - 1  # WGTW-VBR writes XLSX
    placed = sorted(n.split("_")[0] for n in set(first) - trajectories)
    assert placed == sorted(placement_profiles())  # Werk-in-zicht, Jumpstart, OCMW


def test_a_nightly_load_prints_one_line_per_file_and_a_summary_only(tmp_path, loaded):
    """What cron mails: stdout one line per file plus a summary, stderr nothing at all.

    It runs the installed `werkpad` command, as cron does, on good, faulty and skipped
    files; GX validates, so its INFO lines and DuckDB's teardown leak report would show here.
    """
    root, result, _ = loaded
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for source in sorted((root / "inbox").iterdir())[:2]:
        (inbox / source.name).write_bytes(source.read_bytes())
    quarantined = sorted((root / "quarantine").glob("*.csv"))[:2]
    for source in quarantined:  # refused files keep their name behind a timestamp
        (inbox / source.name.split("-", 1)[1]).write_bytes(source.read_bytes())
    (inbox / "upload.csv.part").write_text("half a file")
    files = len(list(inbox.iterdir()))
    werkpad = Path(sys.executable).with_name("werkpad")
    run = subprocess.run(
        [str(werkpad), "load", "--inbox", str(inbox), "--warehouse", str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert run.returncode in (0, 3), run.stderr[-2000:]
    assert run.stderr == ""  # no nanobind leak report, no GX "ephemeral docs site" line
    lines = run.stdout.splitlines()
    assert len(lines) == files + 1
    assert lines[-1].startswith("run ") and "1 skipped" in lines[-1]
    assert all(line.split()[0] in {"loaded", "refused", "skipped"} for line in lines[:-1])
    assert "None" not in run.stdout


@pytest.mark.parametrize("value", ["abc", "nan", "inf", "-1", "0"])
@pytest.mark.parametrize(
    "name", ["WERKPAD_SESSION_IDLE_HOURS", "WERKPAD_SUPPRESSION_THRESHOLD", "WERKPAD_MAX_ROW_DROP"]
)
def test_an_unusable_setting_is_named_with_no_traceback(name, value):
    """Even for --help: a cron mail or a service log gets one line per setting, exit 2."""
    run = subprocess.run(
        [sys.executable, "-m", "werkpad.cli", "--help"],
        env=os.environ | {name: value},
        capture_output=True,
        text=True,
    )
    if name == "WERKPAD_MAX_ROW_DROP" and value in ("0",):  # 0: refuse every shrinking file
        assert run.returncode == 0
        return
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(f"werkpad: {name} must be a number from")
    assert "Traceback" not in run.stderr


def test_a_closed_pipe_is_no_internal_error(monkeypatch, capsys):
    """`werkpad submissions list | head` ended with "stopped by an internal error
    (BrokenPipeError)" (found in review): the reader has all it wanted."""

    class ClosedPipe:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["contract"]) == 0
    assert "internal error" not in capsys.readouterr().err
