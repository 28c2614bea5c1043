-- Subregions with their province, for the region filter.
WITH regions AS (
    SELECT region_code, name, province_code FROM staging.stg_regions
)

SELECT * FROM regions ORDER BY name
