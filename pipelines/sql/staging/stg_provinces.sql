-- Reference table provinces, as the site keeps it (werkpad.site).
WITH source AS (
    SELECT * FROM raw.ref_provinces
)

SELECT * FROM source
