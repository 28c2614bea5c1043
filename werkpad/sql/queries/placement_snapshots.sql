-- Each project's live placements snapshot (issue 13), for the data-quality page.
SELECT
    project_code,
    extract_date,
    rows,
    loaded_at
FROM ops.placement_snapshots
ORDER BY project_code
