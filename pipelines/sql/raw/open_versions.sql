-- Step 6 of replacing a project's snapshot: a row of the new snapshot that no open version
-- holds as it is (new, or changed) starts a version; an unchanged row adds nothing. The
-- version keeps the file and row that brought it.
INSERT INTO wh.raw.trajectory_versions BY NAME
SELECT
    live.*,
    $snapshot_id AS _valid_from,
    NULL::BIGINT AS _valid_to,
    {row_hash} AS _row_hash
FROM wh.raw.trajectories AS live
WHERE
    live.project_code = $project_code
    AND NOT EXISTS (
        SELECT 1
        FROM wh.raw.trajectory_versions AS versions
        WHERE
            versions.project_code = live.project_code
            AND versions._valid_to IS NULL
            AND versions.trajectory_id = live.trajectory_id
            AND versions._row_hash = {row_hash}
    )
