-- Reference table partners, as the site keeps it (werkpad.site): when each joined and left.
WITH source AS (
    SELECT * FROM raw.ref_partners
)

SELECT
    partner_code,
    name,
    partner_type,
    province_code,
    region_code,
    joined_on,
    left_on
FROM source
