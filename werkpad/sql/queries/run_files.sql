-- The latest 200 files the nightly load has seen, newest first.
WITH run_files AS (
    SELECT run_id, file_name, project_code, extract_date, status, rows, reasons, ended_at
    FROM ops.run_files
)

SELECT * FROM run_files ORDER BY ended_at DESC LIMIT 200
