-- Provinces for the region filter.
WITH provinces AS (
    SELECT province_code, name FROM staging.stg_provinces
)

SELECT * FROM provinces ORDER BY name
