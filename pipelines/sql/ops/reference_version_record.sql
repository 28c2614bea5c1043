-- Keep an accepted version of a reference file, with the run that accepted it.
INSERT INTO wh.ops.reference_versions (table_name, run_id, sha256, accepted_at, rows)
VALUES ($table_name, $run_id, $sha256, current_localtimestamp(), $rows)
