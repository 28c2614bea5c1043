-- Step 2 of replacing a project's snapshot: the validated extract in contract types, with
-- lineage. {columns} is the list of contract columns the file has (others stay NULL);
-- {table} the contract's raw table.
INSERT INTO wh.raw.{table} BY NAME
SELECT
    {columns},
    _row_number AS _source_row,
    $file_name AS _source_file,
    $sha256 AS _source_sha256,
    $loaded_at AS _loaded_at
FROM validated
