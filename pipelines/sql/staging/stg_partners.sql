-- Reference table partners as shipped with the data contract.
WITH source AS (
    SELECT * FROM raw.ref_partners
)

SELECT * FROM source
