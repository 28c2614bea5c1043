-- For the flagged rows only: which column holds which kind of personal data.
-- Filled by werkpad.pipelines.privacy like privacy_row_hits.sql; column names come from the
-- table itself (UNPIVOT), so no header text is written into this query.
WITH cells AS (
    UNPIVOT (
        SELECT rowid + 2 AS _row_number, * FROM extract
        WHERE rowid + 2 IN (SELECT flagged_rows._row_number FROM flagged_rows)
    )
    ON COLUMNS(* EXCLUDE (_row_number))
    INTO NAME column_name VALUE cell
),

texts AS (
    SELECT _row_number, column_name, werkpad_privacy_text(cell) AS text
    FROM cells
),

flagged AS (
    SELECT
        _row_number,
        column_name,
        {pattern_flags}
    FROM (SELECT *, werkpad_insz_text(text) AS insz_text FROM texts) AS with_insz
)

SELECT * FROM flagged
WHERE {any_flag}
