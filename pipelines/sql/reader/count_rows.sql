-- Data rows in the extract, for the row limit.
SELECT count(*) AS data_rows
FROM extract;
