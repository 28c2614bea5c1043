-- The site's targets, as the last load accepted them (DIR/targets.csv).
WITH targets AS (
    SELECT project_code, metric, period_from, period_to, target FROM staging.stg_targets
)

SELECT * FROM targets ORDER BY project_code, metric, period_from
