-- The live snapshot of a project (of one contract, {snapshots}): its extract date and row
-- count.
SELECT extract_date, rows FROM wh.ops.{snapshots}
WHERE project_code = $project_code
