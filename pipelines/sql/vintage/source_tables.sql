-- The tables a vintage reads from the warehouse as they are (the site's reference, the load's
-- bookkeeping): every table of its raw and ops schemas but the ones a vintage rebuilds
-- ($rebuilt: each contract's raw table and live snapshots, e.g. 'raw.trajectories').
SELECT
    schema_name,
    table_name
FROM duckdb_tables()
WHERE
    database_name = $source
    AND schema_name IN ('raw', 'ops')
    AND NOT list_contains($rebuilt, schema_name || '.' || table_name)
ORDER BY schema_name, table_name
