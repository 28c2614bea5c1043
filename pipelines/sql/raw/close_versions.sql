-- Step 5 of replacing a project's snapshot: a row version that the new snapshot no longer
-- holds as it was (the row changed or is gone) ends with it. {row_hash} is the hash
-- of a row's contract columns but its extract date (pipelines.warehouse.row_hash);
-- {table}, {versions} and {key} are the contract's (pipelines.warehouse.dataset_names).
UPDATE wh.raw.{versions} AS versions
SET _valid_to = $snapshot_id
WHERE
    versions.project_code = $project_code
    AND versions._valid_to IS NULL
    AND NOT EXISTS (
        SELECT 1
        FROM wh.raw.{table} AS live
        WHERE
            live.project_code = $project_code
            AND live.{key} = versions.{key}
            AND {row_hash} = versions._row_hash
    )
