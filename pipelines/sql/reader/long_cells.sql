-- Rows with a cell longer than $max_chars: the row number in the file (the header is row 1),
-- each cell's length (positions only, never the text) and how many such rows there are.
WITH sizes AS (
    SELECT
        rowid,
        list_transform([*COLUMNS(*)], lambda cell: coalesce(length(cell), 0)) AS lengths
    FROM extract
)

SELECT
    rowid + 2 AS row_number,
    lengths,
    count(*) OVER () AS rows_too_long
FROM sizes
WHERE list_max(lengths) > $max_chars
ORDER BY rowid
LIMIT $listed;
