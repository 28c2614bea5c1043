-- The extract dates the warehouse holds a snapshot of, newest first: the dates the "data as
-- of" picker offers (a vintage is per project the newest snapshot on or before the date).
WITH history AS (
    SELECT extract_date FROM ops.snapshot_history
)

SELECT DISTINCT extract_date FROM history ORDER BY extract_date DESC
