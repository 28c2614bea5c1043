-- Start a file from nothing: the last file's extract and DuckDB's reject tables go.
DROP TABLE IF EXISTS extract;
DROP TABLE IF EXISTS reject_errors;
DROP TABLE IF EXISTS reject_scans;
