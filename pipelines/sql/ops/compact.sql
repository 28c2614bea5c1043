-- The working copy written afresh before it is published: a load rewrites the live
-- snapshots' marts and closes row versions, and DuckDB keeps the blocks these free inside the
-- file. Copying the database leaves them behind, so the file grows with the history only.
COPY FROM DATABASE loaded TO compacted  -- noqa: PRS
