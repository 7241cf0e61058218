-- Validation fills only temporary tables, so it runs before the batch's
-- transaction (a temporary table made inside one is slower to read).

-- trim() strips spaces. Most values have none, and looking first is
-- four times faster than trimming a million values that need nothing.
CREATE OR REPLACE TEMP MACRO trimmed(value) AS
    CASE WHEN value LIKE ' %' OR value LIKE '% ' THEN trim(value) ELSE value END;

-- standardise('a table'): that table's landed rows, standardised. Fixable mess is fixed, not
-- rejected: spaces, letter case, spaces for underscores. Each clean_ column is a value silver
-- keeps; dates are typed here, and one that is not a real date (2024-02-30) becomes NULL, to
-- be judged below. One definition, used twice below: on every row, and again in full on the
-- few rows that need a closer look.
CREATE OR REPLACE TEMP MACRO standardise(landed) AS TABLE
WITH cleaned AS (
    SELECT
        load_id,
        row_number,
        -- Each column of the contract (contract.toml): <name>_text, the value as it came, spaces
        -- stripped, blank as NULL; clean_<name>, standardised and typed.
        {{ contract_columns }}
        {{ contract_helpers }}
    FROM query_table(landed)
)

SELECT
    *,
    hash(*COLUMNS('^clean_')) AS content_hash,  -- a fingerprint of the event's clean values
    hash(clean_case_id, clean_extraction_timestamp) AS event_key  -- and of the event: its case and time
FROM cleaned;

-- Each file read whole gets the next load id, in the batch's order.
CREATE OR REPLACE TEMP TABLE batch_loads AS
SELECT
    (getvariable('last_load_id') + row_number() OVER (ORDER BY position))::INTEGER AS load_id,
    *
FROM batch_read
WHERE read_whole;

-- The batch's rows exactly as read, with their load. row_number is the row's
-- position among the rows the reader could split in its file (rowid keeps
-- file order). Validation reads this view.
CREATE OR REPLACE TEMP VIEW landed_rows AS
SELECT
    landing.* EXCLUDE (file_number),
    batch_loads.load_id,
    landing.rowid - batch_loads.first_rowid + 1 AS row_number
FROM landing
INNER JOIN batch_loads ON batch_loads.file_number = landing.file_number;

-- Every row of the batch (landed_rows) standardised and judged on its own, once: content_rule
-- names the first row rule it breaks, and reason says why. The table keeps what silver needs
-- and the judgement; it lives as long as the batch.
CREATE OR REPLACE TEMP TABLE standardised AS
WITH ruled AS (
    SELECT
        *,
        -- The row rules of rules.toml, in order: the first that holds names the row's rule.
        {{ row_rules }} AS rule
    FROM standardise('landed_rows')
)

SELECT
    load_id,
    row_number,
    COLUMNS('^clean_'),
    content_hash,
    event_key,
    rule AS content_rule,
    {{ row_reasons }} AS reason  -- each rule's reason, from rules.toml
FROM ruled;

-- An event is a case at an extraction_timestamp, and each must be loaded
-- once. Most events come once. Only the rows of events that come again in
-- this batch, or that silver already holds, need a closer look: these events.
CREATE OR REPLACE TEMP TABLE events_again AS
SELECT event_key
FROM standardised
WHERE content_rule IS NULL
GROUP BY event_key
HAVING count(*) > 1
UNION
-- (joined on the case and the time themselves, not on their fingerprint: silver's blocks of
-- rows record their range of times, so a daily batch reads only the blocks of its own times)
SELECT hash(silver.case_id, silver.extraction_timestamp) AS event_key
FROM silver_court_cases AS silver
SEMI JOIN standardised AS batch
    ON batch.clean_case_id = silver.case_id
    AND batch.clean_extraction_timestamp = silver.extraction_timestamp;

-- Their rows as they were landed, to be standardised again in full (the key is a fingerprint:
-- a rare false match only looks closer).
CREATE OR REPLACE TEMP TABLE contested_rows AS
SELECT landed_rows.*
FROM landed_rows
SEMI JOIN (
    SELECT load_id, row_number
    FROM standardised
    SEMI JOIN events_again USING (event_key)
    WHERE content_rule IS NULL
) AS again USING (load_id, row_number);

-- Give each row the first rule it breaks and a reason a person can act on.
-- Only the rows that break one are kept here; silver takes the others.
CREATE OR REPLACE TEMP TABLE rejected AS
WITH contested AS (
    FROM standardise('contested_rows')
),

-- First within each file: copies of a row, or different rows for the same event.
in_file AS (
    SELECT
        load_id,
        clean_case_id,
        clean_extraction_timestamp,
        min(row_number) AS first_row,
        min(content_hash) <> max(content_hash) AS conflicting,
        min(content_hash) AS content_hash
    FROM contested
    GROUP BY ALL
),

-- Then across files: the event loaded first counts. It is in silver already
-- (an earlier batch), or it comes first in this batch's order of files.
first_in_batch AS (
    SELECT
        clean_case_id,
        clean_extraction_timestamp,
        min(load_id) AS load_id,
        arg_min(first_row, load_id) AS row_number,
        arg_min(content_hash, load_id) AS content_hash
    FROM in_file
    WHERE NOT conflicting
    GROUP BY ALL
),

-- The event rules of rules.toml, in order, over each contested row and what came before it.
facts AS (
    SELECT
        contested.*,
        in_file.first_row,
        in_file.conflicting,
        coalesce(silver.load_id, first_in_batch.load_id) AS earlier_load_id,
        coalesce(silver.row_number, first_in_batch.row_number) AS earlier_row,
        coalesce(silver.content_hash, first_in_batch.content_hash) AS earlier_hash,
        coalesce(earlier.file_name, in_batch.file_name) AS earlier_file
    FROM contested
    INNER JOIN in_file
        ON in_file.load_id = contested.load_id
        AND in_file.clean_case_id = contested.clean_case_id
        AND in_file.clean_extraction_timestamp = contested.clean_extraction_timestamp
    LEFT JOIN first_in_batch
        ON first_in_batch.clean_case_id = contested.clean_case_id
        AND first_in_batch.clean_extraction_timestamp = contested.clean_extraction_timestamp
    LEFT JOIN silver_court_cases AS silver
        ON silver.case_id = contested.clean_case_id
        AND silver.extraction_timestamp = contested.clean_extraction_timestamp
    LEFT JOIN loads AS earlier ON earlier.load_id = silver.load_id  -- an earlier batch's file
    LEFT JOIN batch_loads AS in_batch ON in_batch.load_id = first_in_batch.load_id  -- or this batch's
),

judged AS (
    SELECT
        *,
        {{ event_rules }} AS rule
    FROM facts
)

SELECT
    load_id,
    row_number,
    content_rule AS rule,
    reason
FROM standardised
WHERE content_rule IS NOT NULL
UNION ALL
SELECT
    load_id,
    row_number,
    rule,
    {{ event_reasons }} AS reason  -- each rule's reason, from rules.toml
FROM judged
WHERE rule IS NOT NULL;
