-- Reference table targets, as the site keeps it (werkpad.site): one target per project,
-- metric and period.
WITH source AS (
    SELECT * FROM raw.ref_targets
)

SELECT
    project_code,
    metric,
    period_from,
    period_to,
    target
FROM source
