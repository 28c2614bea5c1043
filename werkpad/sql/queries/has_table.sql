-- Whether the warehouse read has a table (a warehouse from before a feature lacks its tables
-- until the next load creates them).
SELECT count(*) > 0 AS present
FROM duckdb_tables()
WHERE
    database_name = current_database()
    AND schema_name = $schema_name
    AND table_name = $table_name
