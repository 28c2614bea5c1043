-- Step 4 of replacing a project's snapshot: the snapshot joins the history, with the next id.
INSERT INTO wh.ops.snapshot_history (
    snapshot_id, project_code, extract_date, file_name, sha256, rows, loaded_at, run_id
)
VALUES (
    (SELECT coalesce(max(known.snapshot_id), 0) + 1 FROM wh.ops.snapshot_history AS known),
    $project_code,
    $extract_date,
    $file_name,
    $sha256,
    $rows,
    $loaded_at,
    $run_id
)
RETURNING snapshot_id
