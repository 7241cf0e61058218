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
        nullif(trimmed(case_id), '') AS clean_case_id,
        nullif(upper(trimmed(op)), '') AS clean_op,
        nullif(upper(trimmed(court_code)), '') AS clean_court_code,
        nullif(lower(replace(trimmed(offence_category), ' ', '_')), '') AS clean_offence_category,
        nullif(lower(trimmed(outcome)), '') AS clean_outcome,
        nullif(trimmed(received_date), '') AS received_text,
        nullif(trimmed(completed_date), '') AS completed_text,
        nullif(trimmed(extraction_timestamp), '') AS extraction_text,
        try_cast(received_text AS DATE) AS clean_received_date,
        try_cast(completed_text AS DATE) AS clean_completed_date,
        try_cast(extraction_text AS TIMESTAMP) AS clean_extraction_timestamp,  -- ISO 8601, with T and Z
        -- the longest of the values as they arrived (every column of the extract)
        list_max([length(coalesce(v, '')) FOR v IN list_value(*COLUMNS(getvariable('extract_columns')))])
            AS longest_value
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
        -- Dates must be ISO: 2024-03-05, and 2024-03-05T02:00:00Z for the extraction time.
        regexp_full_match(
            extraction_text, '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}Z?'
        ) AS extraction_timestamp_is_iso,
        coalesce(regexp_full_match(received_text, '[0-9]{4}-[0-9]{2}-[0-9]{2}'), true) AS received_date_is_iso,
        coalesce(regexp_full_match(completed_text, '[0-9]{4}-[0-9]{2}-[0-9]{2}'), true) AS completed_date_is_iso,
        -- A real date can still be implausible: a case received in year 1 is a typing error.
        CASE
            WHEN clean_received_date < getvariable('earliest_date') OR clean_received_date >= getvariable('latest_date')
                THEN 'received_date ' || received_text
            WHEN clean_completed_date < getvariable('earliest_date') OR clean_completed_date >= getvariable('latest_date')
                THEN 'completed_date ' || completed_text
            WHEN clean_extraction_timestamp < getvariable('earliest_date')
                OR clean_extraction_timestamp >= getvariable('latest_date')
                THEN 'extraction_timestamp ' || extraction_text
        END AS out_of_range,
        CASE
            WHEN longest_value > 64 THEN 'field_too_long'
            WHEN clean_case_id IS NULL OR clean_op IS NULL OR extraction_text IS NULL
                OR (clean_op IN ('I', 'U') AND (
                    clean_court_code IS NULL OR clean_offence_category IS NULL OR received_text IS NULL
                ))
                THEN 'missing_required'
            WHEN clean_op NOT IN ('I', 'U', 'D') THEN 'unknown_op'
            WHEN NOT regexp_full_match(clean_case_id, 'CASE-[0-9]{6,9}') THEN 'invalid_case_id'
            WHEN NOT (extraction_timestamp_is_iso AND received_date_is_iso AND completed_date_is_iso)
                THEN 'unparseable_date'
            WHEN clean_extraction_timestamp IS NULL
                OR (received_text IS NOT NULL AND clean_received_date IS NULL)
                OR (completed_text IS NOT NULL AND clean_completed_date IS NULL)
                THEN 'impossible_date'
            WHEN out_of_range IS NOT NULL THEN 'date_out_of_range'
            WHEN clean_received_date > clean_extraction_timestamp OR clean_completed_date > clean_extraction_timestamp
                THEN 'future_date'
            WHEN clean_completed_date < clean_received_date THEN 'completed_before_received'
            WHEN clean_court_code NOT IN (SELECT court_code FROM courts) THEN 'unknown_court'
            WHEN clean_offence_category NOT IN (SELECT offence_category FROM offence_categories)
                THEN 'unknown_offence_category'
            WHEN clean_outcome NOT IN (SELECT outcome FROM outcomes) THEN 'unknown_outcome'
            WHEN (clean_completed_date IS NULL) <> (clean_outcome IS NULL) THEN 'incomplete_outcome'
        END AS content_rule
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

judged AS (
    SELECT
        contested.*,
        in_file.first_row,
        coalesce(silver.load_id, first_in_batch.load_id) AS earlier_load_id,
        coalesce(silver.row_number, first_in_batch.row_number) AS earlier_row,
        coalesce(silver.content_hash, first_in_batch.content_hash) AS earlier_hash,
        CASE
            WHEN in_file.conflicting THEN 'conflicting_in_file'
            WHEN contested.row_number <> in_file.first_row THEN 'duplicate_in_file'
            WHEN earlier_load_id < contested.load_id AND earlier_hash = contested.content_hash THEN 'duplicate_event'
            WHEN earlier_load_id < contested.load_id THEN 'conflicting_event'
        END AS rule
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
),

broken AS (
    SELECT
        *,
        content_rule AS rule,
        NULL AS first_row,
        NULL AS earlier_load_id,
        NULL AS earlier_row
    FROM ruled
    WHERE content_rule IS NOT NULL
    UNION ALL BY NAME
    SELECT * FROM judged
    WHERE rule IS NOT NULL
)

SELECT
    broken.load_id,
    broken.row_number,
    broken.rule,
    CASE broken.rule
        WHEN 'field_too_long' THEN format(
            'a value is {} characters long; no value may be over 64. The row is probably corrupt.', longest_value
        )
        WHEN 'missing_required' THEN 'required value missing: ' || concat_ws(
            ', ',
            CASE WHEN clean_case_id IS NULL THEN 'case_id' END,
            CASE WHEN clean_op IS NULL THEN 'op' END,
            CASE WHEN extraction_text IS NULL THEN 'extraction_timestamp' END,
            CASE WHEN clean_op IN ('I', 'U') AND clean_court_code IS NULL THEN 'court_code' END,
            CASE WHEN clean_op IN ('I', 'U') AND clean_offence_category IS NULL THEN 'offence_category' END,
            CASE WHEN clean_op IN ('I', 'U') AND received_text IS NULL THEN 'received_date' END
        )
        WHEN 'unknown_op' THEN format('op ''{}'' is not I (insert), U (update) or D (delete)', clean_op)
        WHEN 'invalid_case_id' THEN format('case_id ''{}'' is not like CASE-000123', clean_case_id)
        WHEN 'unparseable_date' THEN CASE
            WHEN NOT extraction_timestamp_is_iso THEN format(
                'extraction_timestamp ''{}'' is not like 2024-03-05T02:00:00Z', extraction_text
            )
            WHEN NOT received_date_is_iso THEN format(
                'received_date ''{}'' is not an ISO date like 2024-03-05', received_text
            )
            ELSE format('completed_date ''{}'' is not an ISO date like 2024-03-05', completed_text)
        END
        WHEN 'impossible_date' THEN CASE
            WHEN clean_extraction_timestamp IS NULL THEN format(
                'extraction_timestamp ''{}'' is not a real time', extraction_text
            )
            WHEN received_text IS NOT NULL AND clean_received_date IS NULL THEN format(
                'received_date ''{}'' is not a real date', received_text
            )
            ELSE format('completed_date ''{}'' is not a real date', completed_text)
        END
        WHEN 'date_out_of_range' THEN format(
            '{} is outside the plausible dates, {} to {} (PLAUSIBLE_DATES in court_cases_etl/pipeline.py)',
            out_of_range, getvariable('earliest_date'), getvariable('latest_date')
        )
        WHEN 'future_date' THEN format(
            'received_date {} or completed_date {} is after the extract was taken ({})',
            coalesce(received_text, '(none)'), coalesce(completed_text, '(none)'), extraction_text
        )
        WHEN 'completed_before_received' THEN format(
            'completed_date {} is before received_date {}', completed_text, received_text
        )
        WHEN 'unknown_court' THEN format('court_code ''{}'' is not in the court reference list', clean_court_code)
        WHEN 'unknown_offence_category' THEN format(
            'offence_category ''{}'' is not one of the agreed categories', clean_offence_category
        )
        WHEN 'unknown_outcome' THEN format('outcome ''{}'' is not one of the agreed outcomes', clean_outcome)
        WHEN 'incomplete_outcome' THEN 'a completed case needs both completed_date and outcome; this row has only one'
        WHEN 'conflicting_in_file' THEN format(
            'this file has different rows for {} at {}; the source must say which is right',
            clean_case_id, extraction_text
        )
        WHEN 'duplicate_in_file' THEN format('exact copy of row {} in this file', first_row)
        WHEN 'duplicate_event' THEN format('already loaded from {} row {}', earlier.file_name, earlier_row)
        WHEN 'conflicting_event' THEN format(
            '{} row {} has different values for {} at {}; the source must say which is right',
            earlier.file_name, earlier_row, clean_case_id, extraction_text
        )
    END AS reason
FROM broken
LEFT JOIN loads AS earlier ON earlier.load_id = broken.earlier_load_id;
