-- Step 5 of replacing a project's snapshot: a row version that the new snapshot no longer
-- holds as it was (the trajectory changed or is gone) ends with it. {row_hash} is the hash
-- of a row's contract columns but its extract date (pipelines.warehouse.row_hash).
UPDATE wh.raw.trajectory_versions AS versions
SET _valid_to = $snapshot_id
WHERE
    versions.project_code = $project_code
    AND versions._valid_to IS NULL
    AND NOT EXISTS (
        SELECT 1
        FROM wh.raw.trajectories AS live
        WHERE
            live.project_code = $project_code
            AND live.trajectory_id = versions.trajectory_id
            AND {row_hash} = versions._row_hash
    )
