-- Step 4 of replacing a project's snapshot: the snapshot joins the history, with the next id
-- ({history}: the contract's history table).
INSERT INTO wh.ops.{history} (
    snapshot_id, project_code, extract_date, file_name, sha256, rows, loaded_at, run_id
)
VALUES (
    (SELECT coalesce(max(known.snapshot_id), 0) + 1 FROM wh.ops.{history} AS known),
    $project_code,
    $extract_date,
    $file_name,
    $sha256,
    $rows,
    $loaded_at,
    $run_id
)
RETURNING snapshot_id
