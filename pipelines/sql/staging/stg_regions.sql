-- Reference table regions as shipped with the data contract.
WITH source AS (
    SELECT * FROM raw.ref_regions
)

SELECT * FROM source
