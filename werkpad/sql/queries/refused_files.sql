-- Refused files with their reasons and report, newest first.
WITH refused AS (
    SELECT file_name, project_code, extract_date, reasons, report_path, ended_at
    FROM ops.run_files
    WHERE status = 'refused'
)

SELECT * FROM refused ORDER BY ended_at DESC LIMIT 100
