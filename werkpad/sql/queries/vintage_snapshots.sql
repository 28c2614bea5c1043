-- The snapshot each project's figures are read from on this connection (a vintage's, or the
-- live ones): what a submission records as its vintage.
SELECT
    project_code,
    extract_date,
    sha256
FROM ops.snapshots
ORDER BY project_code
