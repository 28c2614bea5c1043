-- Reference table programmes, as the site keeps it (werkpad.site).
WITH source AS (
    SELECT * FROM raw.ref_programmes
)

SELECT
    programme_code,
    name
FROM source
