-- Rows of the incoming extract with a cell that looks like personal data, one flag per rule.
-- All text cells of a row are joined with a unit separator so each pattern runs once per row.
-- Filled by werkpad.pipelines.privacy: {columns} (quoted column list) and the patterns.
WITH joined AS (
    SELECT _row_number, concat_ws(chr(31), {columns}) AS cells
    FROM extract
),

flagged AS (
    SELECT
        _row_number,
        {pattern_flags},
        list_bool_or(list_transform(
            regexp_extract_all(cells, {insz_pattern}, 2), lambda x: werkpad_insz_valid(x)
        )) AS insz
    FROM joined
)

SELECT * FROM flagged
WHERE {any_flag} OR coalesce(insz, false)
