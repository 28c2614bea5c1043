-- Content hashes of every file loaded or kept before (a refused file may come back fixed).
SELECT sha256 FROM wh.ops.file_ledger
WHERE status <> 'refused'
