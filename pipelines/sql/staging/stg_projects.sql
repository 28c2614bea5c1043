-- Reference table projects, as the site keeps it (werkpad.site).
WITH source AS (
    SELECT * FROM raw.ref_projects
)

SELECT
    project_code,
    name,
    programme_code,
    province_code,
    start_date,
    end_date
FROM source
