-- The extract dates the warehouse holds a snapshot of, per project, newest first: the dates
-- the "data as of" picker offers for the projects a user may see (a vintage is per project
-- the newest snapshot on or before the date).
WITH history AS (
    SELECT project_code, extract_date FROM ops.snapshot_history
)

SELECT DISTINCT
    project_code,
    extract_date
FROM history
ORDER BY extract_date DESC, project_code ASC
