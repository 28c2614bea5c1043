-- Schemas and bookkeeping tables of the warehouse; safe to run on every load.
-- Each contract's raw tables and snapshot bookkeeping are created from its column list and
-- `warehouse` names by the loader (ops/init_snapshots, pipelines.warehouse.init_schema).
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS ops;

-- One row per run of `werkpad load`.
CREATE TABLE IF NOT EXISTS ops.runs (
    run_id VARCHAR PRIMARY KEY,
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    inbox VARCHAR,
    files INTEGER,
    loaded INTEGER,
    unchanged INTEGER,
    superseded INTEGER,
    refused INTEGER
);

-- One row per file per run, whatever happened to it.
CREATE TABLE IF NOT EXISTS ops.run_files (
    run_id VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR,
    project_code VARCHAR,
    extract_date DATE,
    status VARCHAR NOT NULL,
    rows BIGINT,
    reasons VARCHAR[],
    report_path VARCHAR,
    started_at TIMESTAMP,
    ended_at TIMESTAMP
);

-- Content hashes of every file seen: a file seen before is not loaded again.
CREATE TABLE IF NOT EXISTS ops.file_ledger (
    sha256 VARCHAR PRIMARY KEY,
    file_name VARCHAR,
    project_code VARCHAR,
    extract_date DATE,
    status VARCHAR,
    run_id VARCHAR,
    seen_at TIMESTAMP
);

-- Every accepted version of each of the site's reference files, with the run that accepted
-- it: which partner existed when is history (pipelines.reference).
CREATE TABLE IF NOT EXISTS ops.reference_versions (
    table_name VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    accepted_at TIMESTAMP NOT NULL,
    rows JSON NOT NULL
);

-- Funder report packs as submitted: the ZIP itself, its SHA-256, every figure in it, the
-- selection and the vintage it was built from (per project the snapshot read). A submission
-- never changes; withdrawing one records who, when and why beside it.
CREATE TABLE IF NOT EXISTS ops.submissions (
    submission_id VARCHAR PRIMARY KEY,
    report VARCHAR NOT NULL,
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    selection JSON NOT NULL,
    threshold INTEGER NOT NULL,
    lang VARCHAR NOT NULL,
    as_of DATE,
    snapshots JSON NOT NULL,
    submitted_by VARCHAR NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    sha256 VARCHAR NOT NULL,
    pack BLOB NOT NULL,
    figures JSON NOT NULL,
    withdrawn_at TIMESTAMP,
    withdrawn_by VARCHAR,
    withdrawn_reason VARCHAR
);
