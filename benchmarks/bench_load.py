"""Benchmark: `werkpad load` of a 1,000,000-trajectory extract, end to end, as cron runs it.

Printed beside, on the same file in the same run:
- a bare DuckDB `read_csv` into a table of a file database (the floor);
- the usual tutorial approach: pandas `read_csv`, GX on the pandas frame with the contract's
  column expectations, then an insert into DuckDB.

Targets (issue 2): whole load <= 5x the bare read, >= 3x faster than the tutorial approach,
peak memory <= 1.5 GB. Each approach runs in a fresh process; peak memory is its max RSS.

    uv run python benchmarks/bench_load.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "bench"
PROJECT = "WGTW-ANT"

BARE = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[2])
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [sys.argv[1]])
    con.close()
""")

TUTORIAL = textwrap.dedent("""
    import sys, duckdb, pandas as pd, great_expectations as gx
    import great_expectations.expectations as gxe
    from werkpad.contract import default_contract
    contract = default_contract()
    df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, na_values=[""])
    context = gx.get_context(mode="ephemeral")
    batch = context.data_sources.add_pandas("p").add_dataframe_asset("a") \\
        .add_batch_definition_whole_dataframe("b").get_batch(batch_parameters={"dataframe": df})
    suite = gx.ExpectationSuite(name="s")
    for c in contract.columns:
        if c.required:
            suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=c.name))
        if c.values:
            suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column=c.name,
                                                                   value_set=list(c.values)))
        if c.unique:
            suite.add_expectation(gxe.ExpectColumnValuesToBeUnique(column=c.name))
    result = batch.validate(suite)
    assert result.success, "the tutorial suite should pass on a valid file"
    con = duckdb.connect(sys.argv[2])
    con.execute("CREATE TABLE t AS SELECT * FROM df")
    con.close()
""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="trajectories in the file")
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    inbox = WORK / "inbox"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "werkpad.cli",
            "sample",
            "--out",
            str(inbox),
            "--rows",
            str(args.rows),
            "--project",
            PROJECT,
            "--format",
            "csv",
        ],
        check=True,
        capture_output=True,
    )
    csv = next(inbox.glob("*.csv"))
    size_mb = csv.stat().st_size / 1e6
    rows = []
    for label, cmd in [
        (
            "bare DuckDB read_csv -> table",
            [sys.executable, "-c", BARE, str(csv), str(WORK / "bare.duckdb")],
        ),
        (
            "werkpad load (fresh process)",
            [
                sys.executable,
                "-m",
                "werkpad.cli",
                "load",
                "--inbox",
                str(inbox),
                "--warehouse",
                str(WORK / "warehouse.duckdb"),
            ],
        ),
        (
            "tutorial: pandas + GX pandas + insert",
            [sys.executable, "-c", TUTORIAL, str(csv), str(WORK / "tutorial.duckdb")],
        ),
    ]:
        seconds, peak = _isolated(cmd)
        rows.append((label, seconds, peak))
    bare, load, tutorial = (r[1] for r in rows)
    print(f"\n{args.rows:,} trajectories, {size_mb:.0f} MB CSV, {PROJECT}\n")
    print(f"| {'approach':40} | {'seconds':>8} | {'peak MB':>8} |")
    print(f"|{'-' * 42}|{'-' * 10}|{'-' * 10}|")
    for label, seconds, peak in rows:
        print(f"| {label:40} | {seconds:8.2f} | {peak:8.0f} |")
    print()
    checks = [
        ("load / bare read", load / bare, "<= 5", load / bare <= 5),
        ("tutorial / load", tutorial / load, ">= 3", tutorial / load >= 3),
        ("load peak memory (MB)", rows[1][2], "<= 1536", rows[1][2] <= 1536),
    ]
    print(f"| {'target':24} | {'measured':>9} | {'goal':>8} | met |")
    print(f"|{'-' * 26}|{'-' * 11}|{'-' * 10}|-----|")
    for name, value, goal, ok in checks:
        print(f"| {name:24} | {value:9.2f} | {goal:>8} | {'yes' if ok else 'NO'} |")


def _isolated(cmd: list[str]) -> tuple[float, float]:
    """Run `cmd` under a helper process so its peak RSS is not mixed with earlier children."""
    helper = textwrap.dedent("""
        import json, resource, subprocess, sys, time
        start = time.perf_counter()
        run = subprocess.run(sys.argv[1:], capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if run.returncode != 0:
            sys.stderr.write(run.stderr[-3000:])
            sys.exit(1)
        print(json.dumps([seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))
    """)
    run = subprocess.run([sys.executable, "-c", helper, *cmd], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd[:5])}\n{run.stderr[-3000:]}")
    seconds, maxrss_kb = json.loads(run.stdout.strip().splitlines()[-1])
    return seconds, maxrss_kb / 1024


if __name__ == "__main__":
    main()
