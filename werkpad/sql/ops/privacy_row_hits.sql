-- Row numbers are spreadsheet rows: the table's rowid (file order) + 2 (header is row 1).
-- Rows of the incoming extract with a cell that looks like personal data, one flag per rule.
-- All text cells of a row are joined with a unit separator so each pattern runs once per row.
-- One regular expression with every pattern as an alternative finds the candidate rows in a
-- single pass; only those are flagged rule by rule.
-- Filled by werkpad.pipelines.privacy: {columns} (quoted column list) and the patterns.
WITH joined AS (
    SELECT rowid + 2 AS _row_number, concat_ws(chr(31), {columns}) AS cells
    FROM extract
),

candidates AS (
    SELECT * FROM joined
    WHERE regexp_matches(cells, {any_pattern})
),

flagged AS (
    SELECT
        _row_number,
        {pattern_flags},
        list_bool_or(list_transform(
            regexp_extract_all(cells, {insz_pattern}, 2), lambda x: werkpad_insz_valid(x)
        )) AS insz
    FROM candidates
)

SELECT * FROM flagged
WHERE {any_flag} OR coalesce(insz, false)
