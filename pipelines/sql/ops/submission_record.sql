-- A submitted report pack joins the warehouse (pipelines.submissions).
INSERT INTO wh.ops.submissions (
    submission_id, report, period_from, period_to, selection, threshold, lang, as_of,
    snapshots, submitted_by, submitted_at, sha256, pack, figures
)
VALUES (
    $submission_id, $report, $period_from, $period_to, $selection, $threshold, $lang, $as_of,
    $snapshots, $submitted_by, $submitted_at, $sha256, $pack, $figures
)
