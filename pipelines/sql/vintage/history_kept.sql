-- Whether the warehouse keeps history (a warehouse from before has no snapshot history until
-- its next load).
SELECT count(*) AS tables
FROM duckdb_tables()
WHERE database_name = $source AND schema_name = 'ops' AND table_name = 'snapshot_history'
