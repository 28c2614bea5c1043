-- One line of the run log: a file (or an entry that was skipped) and what became of it.
INSERT INTO wh.ops.run_files (
    run_id, file_name, sha256, project_code, extract_date, status, rows, reasons,
    report_path, started_at, ended_at
)
VALUES (
    $run_id, $file_name, $sha256, $project_code, $extract_date, $status, $rows, $reasons,
    NULL, $started_at, now()
)
