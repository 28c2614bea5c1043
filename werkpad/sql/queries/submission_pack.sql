-- The ZIP of one submission, byte for byte as it was submitted.
SELECT pack, sha256 FROM ops.submissions WHERE submission_id = $submission_id
