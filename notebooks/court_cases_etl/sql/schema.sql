-- The pipeline's tables. Raw values stay text until silver; silver and
-- curated are typed. Reference tables are filled from court_extracts.py.

CREATE TABLE IF NOT EXISTS courts (
    court_code VARCHAR PRIMARY KEY,
    court_name VARCHAR NOT NULL,
    court_type VARCHAR NOT NULL,
    region VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS offence_categories (offence_category VARCHAR PRIMARY KEY);

CREATE TABLE IF NOT EXISTS outcomes (outcome VARCHAR PRIMARY KEY);

-- One row per file loaded: a file name is loaded once.
CREATE TABLE IF NOT EXISTS loads (
    load_id INTEGER PRIMARY KEY,
    file_name VARCHAR NOT NULL UNIQUE,
    file_sha256 VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);

-- Bronze: every row the CSV reader could split, as text, with where it came from.
CREATE TABLE IF NOT EXISTS bronze_court_cases (
    load_id INTEGER NOT NULL,
    file_name VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    case_id VARCHAR,
    court_code VARCHAR,
    offence_category VARCHAR,
    received_date VARCHAR,
    completed_date VARCHAR,
    outcome VARCHAR,
    op VARCHAR,
    extraction_timestamp VARCHAR
);

-- Quarantine: every rejected row or line, the rule it broke and why.
CREATE TABLE IF NOT EXISTS quarantine (
    load_id INTEGER NOT NULL,
    file_name VARCHAR NOT NULL,
    row_number BIGINT,
    line_number BIGINT,
    rule VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    case_id VARCHAR,
    court_code VARCHAR,
    offence_category VARCHAR,
    received_date VARCHAR,
    completed_date VARCHAR,
    outcome VARCHAR,
    op VARCHAR,
    extraction_timestamp VARCHAR,
    raw_line VARCHAR
);

-- Silver: validated, typed, standardised events; one per case and extraction_timestamp.
CREATE TABLE IF NOT EXISTS silver_court_cases (
    case_id VARCHAR NOT NULL,
    op VARCHAR NOT NULL,
    court_code VARCHAR,
    offence_category VARCHAR,
    received_date DATE,
    completed_date DATE,
    outcome VARCHAR,
    extraction_timestamp TIMESTAMP NOT NULL,
    content_hash UBIGINT NOT NULL,
    load_id INTEGER NOT NULL,
    file_name VARCHAR NOT NULL,
    row_number BIGINT NOT NULL
);

-- Curated: the history of every case, one row per version (SCD type 2).
CREATE TABLE IF NOT EXISTS curated_court_cases (
    case_id VARCHAR NOT NULL,
    court_code VARCHAR NOT NULL,
    offence_category VARCHAR NOT NULL,
    received_date DATE NOT NULL,
    completed_date DATE,
    outcome VARCHAR,
    extraction_timestamp TIMESTAMP NOT NULL,
    mojap_start_datetime TIMESTAMP NOT NULL,
    mojap_end_datetime TIMESTAMP NOT NULL,
    mojap_current_record BOOLEAN NOT NULL
);

-- The last load whose events are in the curated history. Loads after it are
-- folded in by the next refresh (sql/curated.sql).
CREATE TABLE IF NOT EXISTS curated_watermark (last_load_id INTEGER NOT NULL);
INSERT INTO curated_watermark SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM curated_watermark);

-- Reconciliation: for every file, rows read = rows loaded + rows quarantined.
CREATE TABLE IF NOT EXISTS reconciliation (
    load_id INTEGER PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    balanced BOOLEAN NOT NULL
);
