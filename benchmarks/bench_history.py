"""Benchmark: a warehouse that keeps every snapshot, as row versions (issue 12).

One project of N trajectories gets S daily snapshots; from the second on, 1% of the rows
change each day (a corrected gender, as a partner's late corrections do). Measured on the
real loader (`pipelines.load.run_load`) and the real vintage (`pipelines.vintage`):

- warehouse size after the last snapshot against the size after the first;
- load time of a 1%-change snapshot (median) against the first load;
- an as-of headline (building the vintage included, the first time on a connection, and
  again once built) against the current headline.

Targets: size <= 1.5x; a 1% load <= 1.2x the first; an as-of query <= 1.5x the current one.

    uv run --locked python benchmarks/bench_history.py [--rows 1000000] [--snapshots 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "bench-history"
PROJECT = "WGTW-ANT"
FIRST = dt.date(2023, 12, 31)  # the generator's data runs to the end of 2023


def _changed(frame: pl.DataFrame, day: int) -> pl.DataFrame:
    """The frame with 1% of its rows (a different 1% each day) given the other gender."""
    n = pl.int_range(pl.len())
    other = pl.when(pl.col("gender") == "F").then(pl.lit("M")).otherwise(pl.lit("F"))
    picked = (n * 7919 + day * 104_729) % 100 == 0
    return frame.with_columns(
        pl.when(picked).then(other).otherwise(pl.col("gender")).alias("gender"),
        pl.lit(FIRST + dt.timedelta(days=day)).alias("extract_date"),
    )


def _headline_seconds(warehouse: Path, as_of: dt.date | None, runs: int = 5) -> list[float]:
    from pipelines.vintage import use_vintage
    from werkpad import metrics
    from werkpad.warehouse import connect_read_only

    con = connect_read_only(warehouse)
    times = []
    try:
        for _ in range(runs):
            start = time.perf_counter()
            if as_of is not None:
                use_vintage(con, as_of)
            metrics.compute(con, {"province": ["ANT"]})
            times.append(time.perf_counter() - start)
    finally:
        con.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--snapshots", type=int, default=30)
    args = parser.parse_args()
    from pipelines.load import run_load
    from sample_data.generator import generate
    from sample_data.writer import write_sample

    shutil.rmtree(WORK, ignore_errors=True)
    warehouse = WORK / "warehouse.duckdb"
    frame = generate(args.rows, 11, FIRST, [PROJECT])[PROJECT]
    loads, sizes = [], []
    for day in range(args.snapshots):
        if day:
            frame = _changed(frame, day)
        inbox = WORK / f"inbox-{day}"
        write_sample({PROJECT: frame}, inbox, fmt="csv")
        start = time.perf_counter()
        result = run_load(inbox, warehouse, WORK / "quarantine")
        loads.append(time.perf_counter() - start)
        assert [f.status for f in result.files] == ["loaded"], result.files
        sizes.append(warehouse.stat().st_size)
        shutil.rmtree(inbox)
    current = _headline_seconds(warehouse, None)
    middle = FIRST + dt.timedelta(days=args.snapshots // 2)
    as_of = _headline_seconds(warehouse, middle)
    first_load, change_load = loads[0], statistics.median(loads[1:]) if loads[1:] else loads[0]
    rows = [
        ("warehouse size", f"{sizes[0] / 1e6:.1f} MB", f"{sizes[-1] / 1e6:.1f} MB",
         sizes[-1] / sizes[0], 1.5),
        ("load", f"{first_load:.1f} s", f"{change_load:.1f} s (median)",
         change_load / first_load, 1.2),
        ("as-of headline, built", f"{1000 * statistics.median(current):.0f} ms",
         f"{1000 * statistics.median(as_of[1:]):.0f} ms", statistics.median(as_of[1:])
         / statistics.median(current), 1.5),
        ("as-of, first on a connection", "", f"{1000 * as_of[0]:.0f} ms", None, None),
    ]  # fmt: skip
    print(f"\n{args.rows:,} trajectories, {args.snapshots} daily snapshots, 1% changed a day\n")
    print(f"| {'what':30} | {'first / current':>16} | {'after / as of':>20} | ratio | target |")
    print(f"|{'-' * 32}|{'-' * 18}|{'-' * 22}|-------|--------|")
    for what, before, after, ratio, target in rows:
        shown = f"{ratio:.2f}" if ratio is not None else ""
        goal = f"<= {target}" if target else ""
        print(f"| {what:30} | {before:>16} | {after:>20} | {shown:>5} | {goal:>6} |")


if __name__ == "__main__":
    main()
