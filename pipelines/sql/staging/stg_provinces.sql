-- Reference table provinces as shipped with the data contract.
WITH source AS (
    SELECT * FROM raw.ref_provinces
)

SELECT * FROM source
