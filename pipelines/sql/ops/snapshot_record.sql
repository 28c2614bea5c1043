-- Step 3 of replacing a project's snapshot: which file is now live for the project (one
-- contract's bookkeeping, {snapshots}).
INSERT OR REPLACE INTO wh.ops.{snapshots} (
    project_code, extract_date, file_name, sha256, rows, loaded_at, run_id
)
VALUES ($project_code, $extract_date, $file_name, $sha256, $rows, $loaded_at, $run_id)
