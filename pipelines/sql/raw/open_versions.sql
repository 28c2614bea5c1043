-- Step 6 of replacing a project's snapshot: a row of the new snapshot that no open version
-- holds as it is (new, or changed) starts a version; an unchanged row adds nothing. The
-- version keeps the file and row that brought it. Names as in raw/close_versions.
INSERT INTO wh.raw.{versions} BY NAME
SELECT
    live.*,
    $snapshot_id AS _valid_from,
    NULL::BIGINT AS _valid_to,
    {row_hash} AS _row_hash
FROM wh.raw.{table} AS live
WHERE
    live.project_code = $project_code
    AND NOT EXISTS (
        SELECT 1
        FROM wh.raw.{versions} AS versions
        WHERE
            versions.project_code = live.project_code
            AND versions._valid_to IS NULL
            AND versions.{key} = live.{key}
            AND versions._row_hash = {row_hash}
    )
