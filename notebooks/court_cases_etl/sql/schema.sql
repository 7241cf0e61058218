-- The pipeline's tables. Raw values stay text until silver; silver is typed.
-- The extract's columns are named once, in the contract (contract.toml): the
-- pipeline passes them in as `extract_as_text` ({'case_id': 'VARCHAR', ...}),
-- and unnest() turns that into one text column each.

-- The version of these tables. A database made by another version is not
-- reused: rebuild it from the raw extracts. database_id names this database
-- in the curated output it publishes, so that a later publish knows what the
-- output already holds.
CREATE TABLE pipeline_schema (version INTEGER NOT NULL, database_id UUID NOT NULL);
INSERT INTO pipeline_schema VALUES (getvariable('schema_version'), uuid());

CREATE TABLE courts (
    court_code VARCHAR PRIMARY KEY,
    court_name VARCHAR NOT NULL,
    court_type VARCHAR NOT NULL,
    region VARCHAR NOT NULL
);

CREATE TABLE offence_categories (offence_category VARCHAR PRIMARY KEY);

CREATE TABLE outcomes (outcome VARCHAR PRIMARY KEY);

-- One row per file loaded: a file name is loaded once. Other tables name
-- the load by its load_id. The raw files are the bronze layer: each is kept
-- as it was delivered, and its path and fingerprint here let the pipeline read
-- it again exactly as it was loaded (pipeline.read_bronze). A copy of every
-- raw row in this database would only repeat them.
CREATE TABLE loads (
    load_id INTEGER PRIMARY KEY,
    file_name VARCHAR NOT NULL UNIQUE,
    file_path VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);

-- Quarantine: every rejected row or line, as it arrived, the rule it broke and why.
CREATE TABLE quarantine AS
SELECT
    NULL::INTEGER AS load_id,
    NULL::VARCHAR AS file_name,
    NULL::BIGINT AS row_number,
    NULL::BIGINT AS line_number,
    NULL::VARCHAR AS rule,
    NULL::VARCHAR AS reason,
    unnest(getvariable('extract_as_text')),
    NULL::VARCHAR AS raw_line
WITH NO DATA;

ALTER TABLE quarantine ALTER COLUMN load_id SET NOT NULL;
ALTER TABLE quarantine ALTER COLUMN file_name SET NOT NULL;
ALTER TABLE quarantine ALTER COLUMN rule SET NOT NULL;
ALTER TABLE quarantine ALTER COLUMN reason SET NOT NULL;

-- Silver: validated, typed, standardised events; one per case and extraction_timestamp.
-- One typed column per column of the contract (contract.toml).
CREATE TABLE silver_court_cases (
{{ silver_columns }}
    content_hash UBIGINT NOT NULL,
    load_id INTEGER NOT NULL,
    row_number BIGINT NOT NULL
);

-- The contract the tables were made for: a database made for other columns is not reused.
CREATE TABLE pipeline_contract (columns VARCHAR NOT NULL);
INSERT INTO pipeline_contract VALUES (getvariable('contract_columns'));

-- Reconciliation: for every file, rows read = rows landed = rows loaded + rows quarantined.
-- rows_read is counted from the file itself, by another reader than DuckDB's.
CREATE TABLE reconciliation (
    load_id INTEGER PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_landed BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    balanced BOOLEAN NOT NULL
);
