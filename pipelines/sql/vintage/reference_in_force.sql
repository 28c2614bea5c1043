-- The version of each of the site's reference tables that was in force when this vintage's
-- newest snapshot was loaded: the newest one accepted at or before that moment. A vintage's
-- figures are then grouped and named as they were shown then, though a partner has been
-- renamed or moved since. A table with no version by then (a warehouse from before
-- reference versions) is read as it is now.
SELECT
    versions.table_name,
    versions.rows
FROM ops.reference_versions AS versions
WHERE versions.accepted_at <= (SELECT max(snapshots.loaded_at) FROM ops.snapshots AS snapshots)
QUALIFY
    row_number() OVER (
        PARTITION BY versions.table_name ORDER BY versions.accepted_at DESC
    ) = 1
ORDER BY versions.table_name
