-- Every submission, newest first, without the ZIP itself (queries/submission_pack).
SELECT * EXCLUDE (pack) FROM ops.submissions ORDER BY submitted_at DESC, submission_id DESC
