-- A warehouse from before history was kept: its live snapshots become the first entries of
-- the history and their rows the first versions. Runs on every load; does nothing once a
-- project has history. {row_hash} and the contract's table names as in
-- raw/close_versions.
INSERT INTO ops.{history}
WITH known AS (
    SELECT coalesce(max(snapshot_id), 0) AS last_id FROM ops.{history}
),

untracked AS (
    SELECT live.*
    FROM ops.{snapshots} AS live
    WHERE NOT EXISTS (
        SELECT 1 FROM ops.{history} AS history
        WHERE history.project_code = live.project_code
    )
)

SELECT
    known.last_id + row_number() OVER (ORDER BY untracked.project_code) AS snapshot_id,
    untracked.project_code,
    untracked.extract_date,
    untracked.file_name,
    untracked.sha256,
    untracked.rows,
    untracked.loaded_at,
    untracked.run_id
FROM untracked
CROSS JOIN known;

INSERT INTO raw.{versions} BY NAME
WITH newest AS (
    SELECT
        history.project_code,
        max(history.snapshot_id) AS snapshot_id
    FROM ops.{history} AS history
    GROUP BY history.project_code
)

SELECT
    live.*,
    newest.snapshot_id AS _valid_from,
    NULL::BIGINT AS _valid_to,
    {row_hash} AS _row_hash
FROM raw.{table} AS live
INNER JOIN newest ON live.project_code = newest.project_code
WHERE NOT EXISTS (
    SELECT 1 FROM raw.{versions} AS versions
    WHERE versions.project_code = live.project_code
);
