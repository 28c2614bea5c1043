-- A CSV extract as text columns, exactly as written. The header was checked and made unique
-- before this runs; the column names arrive as a bound map ($columns), never in this text.
-- Rows of the wrong width go to reject_errors (store_rejects) so they can be reported by line.
CREATE TABLE extract AS
SELECT *
FROM read_csv(
    $path,
    delim = $delimiter,
    header = true,
    quote = '"',
    escape = '"',
    auto_detect = false,
    columns = $columns,
    store_rejects = true,
    null_padding = false,
    strict_mode = true
);
