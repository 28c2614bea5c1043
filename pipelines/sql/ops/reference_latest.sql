-- The content hash of a reference table's newest accepted version ($1: the table's name).
SELECT sha256
FROM wh.ops.reference_versions
WHERE table_name = $1
ORDER BY accepted_at DESC
LIMIT 1
