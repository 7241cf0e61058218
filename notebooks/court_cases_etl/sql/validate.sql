-- trim() strips spaces. Most values have none, and looking first is
-- four times faster than trimming a million values that need nothing.
CREATE OR REPLACE TEMP MACRO trimmed(value) AS
    CASE WHEN value LIKE ' %' OR value LIKE '% ' THEN trim(value) ELSE value END;

-- Standardise the batch's rows, as bronze keeps them (landed_rows). Fixable mess is fixed, not rejected:
-- spaces, letter case, spaces for underscores. Each clean_ column is a value
-- silver keeps; dates are typed here, and one that is not a real date
-- (2024-02-30) becomes NULL, to be judged below. silver.sql reads this view too.
CREATE OR REPLACE TEMP VIEW standardised AS
WITH cleaned AS (
    SELECT
        load_id,
        row_number,
        -- Each column of the contract (contract.toml): <name>_text, the value as it came, spaces
        -- stripped, blank as NULL; clean_<name>, standardised and typed.
        {{ contract_columns }}
        -- the longest of the values as they arrived (every column of the extract)
        list_max([length(coalesce(v, '')) FOR v IN list_value(*COLUMNS(getvariable('extract_columns')))])
            AS longest_value,
        {{ contract_helpers }}
    FROM landed_rows
)

SELECT
    *,
    hash(*COLUMNS('^clean_')) AS content_hash  -- a fingerprint of the event's clean values
FROM cleaned;

-- Give each row the first rule it breaks and a reason a person can act on.
-- Only the rows that break one are kept here; silver takes the others.
CREATE OR REPLACE TEMP TABLE rejected AS
WITH ruled AS (
    SELECT
        *,
        -- The row rules of rules.toml, in order: the first that holds names the row's rule.
        {{ row_rules }} AS content_rule
    FROM standardised
),

-- An event is a case at an extraction_timestamp, and each must be loaded
-- once. Most events come once. Only the rows of events that come again in
-- this batch, or that silver already holds, need a closer look.
repeated AS (
    SELECT
        clean_case_id,
        clean_extraction_timestamp
    FROM ruled
    WHERE content_rule IS NULL
    GROUP BY ALL
    HAVING count(*) > 1
),

contested AS (
    SELECT ruled.*
    FROM ruled
    WHERE content_rule IS NULL
        AND (
            EXISTS (
                FROM repeated
                WHERE repeated.clean_case_id = ruled.clean_case_id
                    AND repeated.clean_extraction_timestamp = ruled.clean_extraction_timestamp
            )
            OR EXISTS (
                FROM silver_court_cases AS silver
                WHERE silver.case_id = ruled.clean_case_id
                    AND silver.extraction_timestamp = ruled.clean_extraction_timestamp
            )
        )
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
        earlier.file_name AS earlier_file
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
    LEFT JOIN loads AS earlier
        ON earlier.load_id = coalesce(silver.load_id, first_in_batch.load_id)
),

judged AS (
    SELECT
        *,
        {{ event_rules }} AS rule
    FROM facts
),

broken AS (
    SELECT
        *,
        content_rule AS rule
    FROM ruled
    WHERE content_rule IS NOT NULL
    UNION ALL BY NAME
    SELECT * FROM judged
    WHERE rule IS NOT NULL
)

-- Each rule's reason, from rules.toml.
SELECT
    load_id,
    row_number,
    rule,
    {{ reasons }} AS reason
FROM broken;
