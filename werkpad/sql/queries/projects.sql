-- Projects with their province, for the project filter.
WITH projects AS (
    SELECT project_code, name, province_code, programme FROM staging.stg_projects
)

SELECT * FROM projects ORDER BY project_code
