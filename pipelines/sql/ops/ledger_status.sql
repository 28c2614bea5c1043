-- What happened to a file with these bytes before, if anything.
SELECT status FROM wh.ops.file_ledger
WHERE sha256 = $sha256
