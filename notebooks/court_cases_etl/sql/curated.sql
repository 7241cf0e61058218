-- Curated history (slowly changing dimension type 2): each case's versions,
-- built from all its events in silver in extraction_timestamp order, never in
-- the order the files were loaded. It is a view, so it is never behind silver.
CREATE OR REPLACE VIEW curated_court_cases AS
WITH events AS (
    SELECT
        * EXCLUDE (content_hash, load_id, row_number),
        -- a fingerprint of the case's values: everything but its key, its op and the time
        -- (comparing one number is cheaper than comparing every value; two different sets
        -- of values share a 64-bit fingerprint about once in 10^19 comparisons)
        hash(*COLUMNS(* EXCLUDE (case_id, op, extraction_timestamp, content_hash, load_id, row_number)))
            AS case_values
    FROM silver_court_cases
),

changes AS (
    -- An event makes a new version only if it changes something: the
    -- first event, a delete, the first event after a delete, or new values.
    SELECT *
    FROM events
    WINDOW by_time AS (PARTITION BY case_id ORDER BY extraction_timestamp)
    QUALIFY
        lag(op) OVER by_time IS NULL
        OR (op = 'D') <> (lag(op) OVER by_time = 'D')
        OR (op <> 'D' AND case_values IS DISTINCT FROM lag(case_values) OVER by_time)
),

versions AS (
    SELECT
        * EXCLUDE (case_values),
        lead(extraction_timestamp) OVER (PARTITION BY case_id ORDER BY extraction_timestamp) AS next_change
    FROM changes
)

SELECT
    * EXCLUDE (op, next_change),
    extraction_timestamp AS mojap_start_datetime,
    coalesce(next_change, TIMESTAMP '2999-01-01 00:00:00') AS mojap_end_datetime,
    next_change IS NULL AS mojap_current_record
FROM versions
WHERE op <> 'D';  -- a delete ends the version before it and starts none
