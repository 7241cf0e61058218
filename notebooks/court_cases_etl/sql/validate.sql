-- Validate and standardise this load's bronze rows. Each row gets the first
-- rule it breaks (rule is NULL for a good row) and a reason a person can act on.
CREATE OR REPLACE TEMP TABLE checked AS
WITH standardised AS (
    -- Fixable mess is fixed, not rejected: spaces, letter case, spaces for underscores.
    SELECT
        b.*,
        nullif(trim(b.case_id), '') AS s_case_id,
        nullif(upper(trim(b.op)), '') AS s_op,
        nullif(upper(trim(b.court_code)), '') AS s_court_code,
        nullif(lower(replace(trim(b.offence_category), ' ', '_')), '') AS s_offence_category,
        nullif(trim(b.received_date), '') AS s_received_date,
        nullif(trim(b.completed_date), '') AS s_completed_date,
        nullif(lower(trim(b.outcome)), '') AS s_outcome,
        nullif(trim(b.extraction_timestamp), '') AS s_extraction_timestamp,
        greatest(
            length(coalesce(b.case_id, '')), length(coalesce(b.court_code, '')),
            length(coalesce(b.offence_category, '')), length(coalesce(b.received_date, '')),
            length(coalesce(b.completed_date, '')), length(coalesce(b.outcome, '')),
            length(coalesce(b.op, '')), length(coalesce(b.extraction_timestamp, ''))
        ) AS longest_value
    FROM bronze_court_cases AS b
    WHERE b.load_id = getvariable('load_id')
),

typed AS (
    -- Dates must be ISO: 2024-03-05, and 2024-03-05T02:00:00Z for the extraction time.
    SELECT
        *,
        regexp_full_match(
            s_extraction_timestamp, '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}Z?'
        ) AS extraction_timestamp_is_iso,
        coalesce(regexp_full_match(s_received_date, '[0-9]{4}-[0-9]{2}-[0-9]{2}'), true) AS received_date_is_iso,
        coalesce(regexp_full_match(s_completed_date, '[0-9]{4}-[0-9]{2}-[0-9]{2}'), true) AS completed_date_is_iso,
        try_cast(replace(replace(s_extraction_timestamp, 'T', ' '), 'Z', '') AS TIMESTAMP) AS t_extraction_timestamp,
        try_cast(s_received_date AS DATE) AS t_received_date,
        try_cast(s_completed_date AS DATE) AS t_completed_date,
        known_court.court_code IS NOT NULL AS court_is_known,
        known_offence.offence_category IS NOT NULL AS offence_is_known,
        known_outcome.outcome IS NOT NULL AS outcome_is_known
    FROM standardised
    LEFT JOIN courts AS known_court ON known_court.court_code = s_court_code
    LEFT JOIN offence_categories AS known_offence ON known_offence.offence_category = s_offence_category
    LEFT JOIN outcomes AS known_outcome ON known_outcome.outcome = s_outcome
),

ruled AS (
    SELECT
        *,
        CASE
            WHEN longest_value > 64 THEN 'field_too_long'
            WHEN s_case_id IS NULL OR s_op IS NULL OR s_extraction_timestamp IS NULL
                OR (s_op IN ('I', 'U') AND (s_court_code IS NULL OR s_offence_category IS NULL OR s_received_date IS NULL))
                THEN 'missing_required'
            WHEN s_op NOT IN ('I', 'U', 'D') THEN 'unknown_op'
            WHEN NOT regexp_full_match(s_case_id, 'CASE-[0-9]{6,9}') THEN 'invalid_case_id'
            WHEN NOT (extraction_timestamp_is_iso AND received_date_is_iso AND completed_date_is_iso)
                THEN 'unparseable_date'
            WHEN t_extraction_timestamp IS NULL
                OR (s_received_date IS NOT NULL AND t_received_date IS NULL)
                OR (s_completed_date IS NOT NULL AND t_completed_date IS NULL)
                THEN 'impossible_date'
            WHEN t_received_date > t_extraction_timestamp OR t_completed_date > t_extraction_timestamp
                THEN 'future_date'
            WHEN t_completed_date < t_received_date THEN 'completed_before_received'
            WHEN s_court_code IS NOT NULL AND NOT court_is_known THEN 'unknown_court'
            WHEN s_offence_category IS NOT NULL AND NOT offence_is_known THEN 'unknown_offence_category'
            WHEN s_outcome IS NOT NULL AND NOT outcome_is_known THEN 'unknown_outcome'
            WHEN (t_completed_date IS NULL) <> (s_outcome IS NULL) THEN 'incomplete_outcome'
        END AS content_rule,
        hash(
            s_case_id, s_op, s_court_code, s_offence_category, t_received_date,
            t_completed_date, s_outcome, t_extraction_timestamp
        ) AS content_hash
    FROM typed
),

duplicates AS (
    -- One event per case and extraction_timestamp. Among rows that passed the
    -- checks above: copies within this file, and events already loaded from any file.
    SELECT
        r.*,
        same_event.first_row,
        same_event.conflicting,
        s.file_name AS earlier_file,
        s.row_number AS earlier_row,
        s.content_hash AS earlier_hash
    FROM ruled AS r
    LEFT JOIN (
        SELECT
            s_case_id,
            t_extraction_timestamp,
            min(row_number) AS first_row,
            min(content_hash) <> max(content_hash) AS conflicting
        FROM ruled
        WHERE content_rule IS NULL
        GROUP BY s_case_id, t_extraction_timestamp
    ) AS same_event
        ON same_event.s_case_id = r.s_case_id
        AND same_event.t_extraction_timestamp = r.t_extraction_timestamp
    LEFT JOIN silver_court_cases AS s
        ON s.case_id = r.s_case_id
        AND s.extraction_timestamp = r.t_extraction_timestamp
),

judged AS (
    SELECT
        *,
        CASE
            WHEN content_rule IS NOT NULL THEN content_rule
            WHEN conflicting THEN 'conflicting_in_file'
            WHEN row_number <> first_row THEN 'duplicate_in_file'
            WHEN earlier_hash = content_hash THEN 'duplicate_event'
            WHEN earlier_hash IS NOT NULL THEN 'conflicting_event'
        END AS rule
    FROM duplicates
)

SELECT
    *,
    CASE rule
        WHEN 'field_too_long' THEN format(
            'a value is {} characters long; no value may be over 64. The row is probably corrupt.', longest_value
        )
        WHEN 'missing_required' THEN 'required value missing: ' || concat_ws(
            ', ',
            CASE WHEN s_case_id IS NULL THEN 'case_id' END,
            CASE WHEN s_op IS NULL THEN 'op' END,
            CASE WHEN s_extraction_timestamp IS NULL THEN 'extraction_timestamp' END,
            CASE WHEN s_op IN ('I', 'U') AND s_court_code IS NULL THEN 'court_code' END,
            CASE WHEN s_op IN ('I', 'U') AND s_offence_category IS NULL THEN 'offence_category' END,
            CASE WHEN s_op IN ('I', 'U') AND s_received_date IS NULL THEN 'received_date' END
        )
        WHEN 'unknown_op' THEN format('op ''{}'' is not I (insert), U (update) or D (delete)', s_op)
        WHEN 'invalid_case_id' THEN format('case_id ''{}'' is not like CASE-000123', s_case_id)
        WHEN 'unparseable_date' THEN CASE
            WHEN NOT extraction_timestamp_is_iso THEN format(
                'extraction_timestamp ''{}'' is not like 2024-03-05T02:00:00Z', s_extraction_timestamp
            )
            WHEN NOT received_date_is_iso THEN format(
                'received_date ''{}'' is not an ISO date like 2024-03-05', s_received_date
            )
            ELSE format('completed_date ''{}'' is not an ISO date like 2024-03-05', s_completed_date)
        END
        WHEN 'impossible_date' THEN CASE
            WHEN t_extraction_timestamp IS NULL THEN format(
                'extraction_timestamp ''{}'' is not a real time', s_extraction_timestamp
            )
            WHEN s_received_date IS NOT NULL AND t_received_date IS NULL THEN format(
                'received_date ''{}'' is not a real date', s_received_date
            )
            ELSE format('completed_date ''{}'' is not a real date', s_completed_date)
        END
        WHEN 'future_date' THEN format(
            'received_date {} or completed_date {} is after the extract was taken ({})',
            coalesce(s_received_date, '(none)'), coalesce(s_completed_date, '(none)'), s_extraction_timestamp
        )
        WHEN 'completed_before_received' THEN format(
            'completed_date {} is before received_date {}', s_completed_date, s_received_date
        )
        WHEN 'unknown_court' THEN format('court_code ''{}'' is not in the court reference list', s_court_code)
        WHEN 'unknown_offence_category' THEN format(
            'offence_category ''{}'' is not one of the agreed categories', s_offence_category
        )
        WHEN 'unknown_outcome' THEN format('outcome ''{}'' is not one of the agreed outcomes', s_outcome)
        WHEN 'incomplete_outcome' THEN 'a completed case needs both completed_date and outcome; this row has only one'
        WHEN 'conflicting_in_file' THEN format(
            'this file has different rows for {} at {}; the source must say which is right',
            s_case_id, s_extraction_timestamp
        )
        WHEN 'duplicate_in_file' THEN format('exact copy of row {} in this file', first_row)
        WHEN 'duplicate_event' THEN format('already loaded from {} row {}', earlier_file, earlier_row)
        WHEN 'conflicting_event' THEN format(
            '{} row {} has different values for {} at {}; the source must say which is right',
            earlier_file, earlier_row, s_case_id, s_extraction_timestamp
        )
    END AS reason
FROM judged;
