-- Projects with their province and programme, for the project filter.
WITH projects AS (
    SELECT * FROM staging.stg_projects
),

programmes AS (
    SELECT * FROM staging.stg_programmes
),

final AS (
    SELECT
        projects.project_code,
        projects.name,
        projects.province_code,
        programmes.name AS programme,
        projects.programme_code
    FROM projects
    LEFT JOIN programmes USING (programme_code)
)

SELECT * FROM final ORDER BY project_code
