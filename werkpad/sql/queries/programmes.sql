-- Programmes for the programme filter.
WITH programmes AS (
    SELECT programme_code, name FROM staging.stg_programmes
)

SELECT * FROM programmes ORDER BY name
