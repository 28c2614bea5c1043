-- One contract's rows as of the vintage's snapshots (vintage/snapshots): the row versions
-- each held, dated with its extract date, in the columns of raw.{table} ({table}, {versions}
-- and {snapshots}: the contract's names, e.g. trajectories, trajectory_versions, snapshots).
CREATE TABLE raw.{table} AS
WITH held AS (
    SELECT
        versions.*,
        snapshots.extract_date AS snapshot_extract_date
    FROM raw.{versions} AS versions
    INNER JOIN ops.{snapshots} AS snapshots
        ON
            versions.project_code = snapshots.project_code
            AND versions._valid_from <= snapshots.snapshot_id
            AND (versions._valid_to IS NULL OR versions._valid_to > snapshots.snapshot_id)
)

SELECT
    * EXCLUDE (extract_date, snapshot_extract_date, _valid_from, _valid_to, _row_hash),
    snapshot_extract_date AS extract_date
FROM held
