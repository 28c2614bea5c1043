-- The live snapshot of each project as of $as_of: the newest accepted one with an extract
-- date on or before that day; of two exports of the same date, the one loaded later.
-- {snapshots} and {history}: one contract's bookkeeping (pipelines.warehouse.dataset_names).
CREATE TABLE ops.{snapshots} AS
WITH chosen AS (
    SELECT
        history.project_code,
        max(history.snapshot_id) AS snapshot_id
    FROM ops.{history} AS history
    WHERE history.extract_date <= $as_of
    GROUP BY history.project_code
)

SELECT
    history.project_code,
    history.extract_date,
    history.file_name,
    history.sha256,
    history.rows,
    history.loaded_at,
    history.run_id,
    history.snapshot_id
FROM ops.{history} AS history
INNER JOIN chosen ON history.snapshot_id = chosen.snapshot_id
