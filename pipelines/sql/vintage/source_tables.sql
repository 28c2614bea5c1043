-- The tables a vintage reads from the warehouse as they are (the site's reference, the load's
-- bookkeeping): every table of its raw and ops schemas but the ones a vintage rebuilds.
SELECT
    schema_name,
    table_name
FROM duckdb_tables()
WHERE
    database_name = $source
    AND schema_name IN ('raw', 'ops')
    AND NOT (schema_name = 'raw' AND table_name = 'trajectories')
    AND NOT (schema_name = 'ops' AND table_name = 'snapshots')
ORDER BY schema_name, table_name
