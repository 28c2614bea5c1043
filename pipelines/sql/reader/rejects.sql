-- Lines with the wrong number of fields, by line and kind, for the refusal's report.
SELECT DISTINCT
    line,
    error_type
FROM reject_errors
ORDER BY line;
