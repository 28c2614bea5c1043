-- Where a refused file's report will be, recorded before the warehouse is published.
UPDATE wh.ops.run_files SET report_path = $report_path
WHERE run_id = $run_id AND file_name = $file_name
