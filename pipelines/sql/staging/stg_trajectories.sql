-- Trajectories of each project's live snapshot, one row per trajectory. raw.trajectories is
-- already in contract types (the loader parses dates and booleans once, when it validates)
-- and its columns are the contract's, named as the contract names them. Staging passes every
-- contract column through, so a column the contract gains (a new target-group flag) reaches
-- the marts and the metrics without a change here; only load bookkeeping is left behind.
WITH source AS (
    SELECT * FROM raw.trajectories
),

renamed AS (
    SELECT * EXCLUDE (_source_row, _source_sha256)
    FROM source
)

SELECT * FROM renamed
