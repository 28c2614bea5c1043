-- Reference table regions, as the site keeps it (werkpad.site).
WITH source AS (
    SELECT * FROM raw.ref_regions
)

SELECT * FROM source
