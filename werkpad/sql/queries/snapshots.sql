-- Each project's live snapshot and the outcome of its last file, for the data-quality page.
WITH last_file AS (
    -- the project's newest file by extract date (then by when it was seen) decides the warning
    SELECT
        project_code,
        arg_max(status, (extract_date, ended_at)) AS last_status,
        max(ended_at) AS last_seen
    FROM ops.run_files
    WHERE project_code IS NOT NULL
    GROUP BY project_code
),

final AS (
    SELECT snapshots.*, last_file.last_status, last_file.last_seen
    FROM ops.snapshots AS snapshots
    LEFT JOIN last_file USING (project_code)
)

SELECT * FROM final ORDER BY project_code
