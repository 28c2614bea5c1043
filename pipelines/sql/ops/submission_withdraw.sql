-- A submission withdrawn: who, when and why are recorded beside it; nothing is deleted.
UPDATE wh.ops.submissions
SET
    withdrawn_at = $withdrawn_at,
    withdrawn_by = $withdrawn_by,
    withdrawn_reason = $withdrawn_reason
WHERE submission_id = $submission_id AND withdrawn_at IS NULL
RETURNING submission_id
