-- Row numbers are spreadsheet rows: the table's rowid (file order) + 2 (header is row 1).
-- Rows of the incoming extract with a cell that looks like personal data, one flag per rule.
-- All text cells of a row are joined with a unit separator and normalised once
-- (werkpad_privacy_text), so each pattern runs once per row. One regular expression with every
-- pattern as an alternative finds the candidate rows in a single pass; only those are flagged
-- rule by rule, with the check-digit macros.
-- Filled by werkpad.pipelines.privacy: the columns (names quoted with quote_ident, never raw
-- header text), the combined pattern, one flag per rule (over `text` and `insz_text`) and
-- their disjunction.
WITH joined AS (
    SELECT rowid + 2 AS _row_number, werkpad_privacy_text(concat_ws(chr(31), {columns})) AS text
    FROM extract
),

candidates AS (
    SELECT _row_number, text, werkpad_insz_text(text) AS insz_text
    FROM joined
    WHERE regexp_matches(text, {any_pattern})
),

flagged AS (
    SELECT
        _row_number,
        {pattern_flags}
    FROM candidates
)

SELECT * FROM flagged
WHERE {any_flag}
