-- For the flagged rows only: which column holds which kind of personal data.
WITH cells AS (
    UNPIVOT (
        SELECT rowid + 2 AS _row_number, * FROM extract
        WHERE rowid + 2 IN (SELECT _row_number FROM flagged_rows)
    )
    ON COLUMNS(* EXCLUDE (_row_number))
    INTO NAME column_name VALUE cell
),

flagged AS (
    SELECT
        _row_number,
        column_name,
        {pattern_flags},
        coalesce(list_bool_or(list_transform(
            regexp_extract_all(cell, {insz_pattern}, 2), lambda x: werkpad_insz_valid(x)
        )), false) AS insz
    FROM cells
)

SELECT * FROM flagged
WHERE {any_flag} OR insz
