-- Reference table projects as shipped with the data contract.
WITH source AS (
    SELECT * FROM raw.ref_projects
)

SELECT * FROM source
