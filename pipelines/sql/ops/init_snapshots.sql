-- One contract's snapshot bookkeeping ({snapshots}, {history}: its `warehouse` names in
-- data_contracts/, e.g. snapshots and snapshot_history for the trajectories); safe to run
-- on every load.
-- The live snapshot of each project.
CREATE TABLE IF NOT EXISTS ops.{snapshots} (
    project_code VARCHAR PRIMARY KEY,
    extract_date DATE NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    rows BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    run_id VARCHAR NOT NULL
);

-- Every accepted snapshot of every project, in the order they were loaded: the live one
-- replaces the last in ops.{snapshots}, but history keeps them all (a corrected export of the
-- same extract date too, with a later id). raw.{versions} points at these ids.
CREATE TABLE IF NOT EXISTS ops.{history} (
    snapshot_id BIGINT PRIMARY KEY,
    project_code VARCHAR NOT NULL,
    extract_date DATE NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    rows BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    run_id VARCHAR NOT NULL
);
