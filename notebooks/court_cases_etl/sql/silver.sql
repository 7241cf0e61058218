-- Silver: the good rows, typed and standardised.
INSERT INTO silver_court_cases
SELECT
    s_case_id AS case_id,
    s_op AS op,
    s_court_code AS court_code,
    s_offence_category AS offence_category,
    t_received_date AS received_date,
    t_completed_date AS completed_date,
    s_outcome AS outcome,
    t_extraction_timestamp AS extraction_timestamp,
    content_hash,
    load_id,
    file_name,
    row_number
FROM checked
WHERE rule IS NULL
ORDER BY row_number;
