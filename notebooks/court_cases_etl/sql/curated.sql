-- Curated history (slowly changing dimension type 2). For every case touched by
-- the loads since the last refresh, rebuild its versions from all its accepted
-- events in the order of extraction_timestamp, never in the order the files
-- were loaded. One file, or a batch of files, is refreshed in one go.
CREATE OR REPLACE TEMP TABLE touched AS
SELECT DISTINCT case_id
FROM silver_court_cases
WHERE load_id > (SELECT last_load_id FROM curated_watermark);

DELETE FROM curated_court_cases
WHERE case_id IN (SELECT case_id FROM touched);

INSERT INTO curated_court_cases
WITH events AS (
    SELECT
        case_id,
        op,
        court_code,
        offence_category,
        received_date,
        completed_date,
        outcome,
        extraction_timestamp,
        lag(op) OVER by_time AS previous_op,
        (court_code, offence_category, received_date, completed_date, outcome)
        IS DISTINCT FROM lag((court_code, offence_category, received_date, completed_date, outcome)) OVER by_time
            AS values_changed
    FROM silver_court_cases
    WHERE case_id IN (SELECT case_id FROM touched)
    WINDOW by_time AS (PARTITION BY case_id ORDER BY extraction_timestamp)
),

changes AS (
    -- An event makes a new version only if it changes something:
    -- the first event, a delete, the first event after a delete, or new values.
    SELECT *
    FROM events
    WHERE previous_op IS NULL
        OR (op = 'D') <> (previous_op = 'D')
        OR (op <> 'D' AND values_changed)
),

versions AS (
    SELECT
        *,
        lead(extraction_timestamp) OVER (PARTITION BY case_id ORDER BY extraction_timestamp) AS next_change
    FROM changes
)

SELECT
    case_id,
    court_code,
    offence_category,
    received_date,
    completed_date,
    outcome,
    extraction_timestamp,
    extraction_timestamp AS mojap_start_datetime,
    coalesce(next_change, TIMESTAMP '2999-01-01 00:00:00') AS mojap_end_datetime,
    next_change IS NULL AS mojap_current_record
FROM versions
WHERE op <> 'D';  -- a delete ends the version before it and starts none

-- Every load up to here is now part of the curated history.
UPDATE curated_watermark SET last_load_id = (SELECT coalesce(max(load_id), 0) FROM loads);
