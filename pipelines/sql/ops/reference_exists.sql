-- Whether the warehouse holds an accepted reference table ($1: ref_<table>).
SELECT count(*) > 0
FROM duckdb_tables()
WHERE database_name = 'wh' AND schema_name = 'raw' AND table_name = $1
