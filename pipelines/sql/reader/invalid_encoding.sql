-- Lines DuckDB could not decode as UTF-8: the file is then read again as cp1252.
SELECT count(*) AS bad_lines
FROM reject_errors
WHERE error_type = 'INVALID ENCODING';
