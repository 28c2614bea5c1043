-- The bookkeeping tables of the warehouse a vintage is built from: which contracts' history
-- it keeps (a warehouse from before a contract lacks its tables until the next load).
SELECT table_name
FROM duckdb_tables()
WHERE database_name = $source AND schema_name = 'ops'
ORDER BY table_name
