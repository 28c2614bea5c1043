-- One row per run of `werkpad load`, with how many files ended in each status.
INSERT INTO wh.ops.runs (
    run_id, started_at, ended_at, inbox, files, loaded, unchanged, superseded, refused
)
VALUES (
    $run_id, $started_at, now(), $inbox, $files, $loaded, $unchanged, $superseded, $refused
)
