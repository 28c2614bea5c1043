-- Placements of each project's live placements snapshot, one row per placement, in contract
-- types (data_contracts/placements.yaml), load bookkeeping left behind, as stg_trajectories.
WITH source AS (
    SELECT * FROM raw.placements
),

renamed AS (
    SELECT * EXCLUDE (_source_row, _source_sha256)
    FROM source
)

SELECT * FROM renamed
