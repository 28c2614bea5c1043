-- A file's bytes and what became of them; the newest verdict wins.
INSERT OR REPLACE INTO wh.ops.file_ledger (
    sha256, file_name, project_code, extract_date, status, run_id, seen_at
)
VALUES ($sha256, $file_name, $project_code, $extract_date, $status, $run_id, now())
