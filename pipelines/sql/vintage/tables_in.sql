-- How many tables a catalog holds: a vintage already built on this connection has some.
SELECT count(*) AS tables FROM duckdb_tables() WHERE database_name = $catalog
