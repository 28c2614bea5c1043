"""Writing submissions into the warehouse: the only write besides the nightly load.

It goes the load's way (pipelines.warehouse): under the one-writer lock, into a copy that is
swapped in whole, so a reader sees the submission entirely or not at all and a crash leaves
the last good warehouse live. The read side (listing, exporting, revisions) is
werkpad.submissions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from pipelines import warehouse as wh
from pipelines.sql import load_sql
from werkpad.warehouse import OFFLINE


def _write(warehouse: Path, sql: str, params: dict[str, Any]) -> list[tuple]:
    with wh.writer_lock(warehouse):
        copy = wh.start_copy(warehouse)
        try:
            con = duckdb.connect(config=OFFLINE)
            try:
                con.execute("ATTACH ? AS wh", [str(copy)])
                con.execute("USE wh")
                con.execute(load_sql("ops/init_warehouse"))  # a warehouse from before
                con.execute("USE memory")
                rows = con.execute(load_sql(sql), params).fetchall()
                con.execute("DETACH wh")
            finally:
                con.close()
            wh.publish(copy, warehouse)
        except BaseException:
            wh.remove_copy(copy)
            raise
    return rows


def store(warehouse: Path, record: dict[str, Any]) -> None:
    """Keep a submission (the columns of ops.submissions but the withdrawal)."""
    _write(warehouse, "ops/submission_record", record)


def withdraw(warehouse: Path, submission_id: str, by: str, reason: str, when) -> bool:
    """Mark a submission withdrawn; False when there is no such submission in force."""
    rows = _write(
        warehouse,
        "ops/submission_withdraw",
        {
            "submission_id": submission_id,
            "withdrawn_by": by,
            "withdrawn_reason": reason,
            "withdrawn_at": when,
        },
    )
    return bool(rows)
