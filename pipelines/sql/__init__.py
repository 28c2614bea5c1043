"""The pipeline's SQL: raw, staging and marts models, macros and the load's bookkeeping (ops).

`load_sql("ops/ledger_record")` is the text of `pipelines/sql/ops/ledger_record.sql`.
"""

from __future__ import annotations

from werkpad.sql import SqlFolder

PIPELINE = SqlFolder("pipelines")
load_sql = PIPELINE.load
models = PIPELINE.models
