-- Silver: the good rows, typed and standardised: every row of the batch that
-- broke no rule, with its clean_ values under their own names.
INSERT INTO silver_court_cases BY NAME
SELECT
    COLUMNS('^clean_(.*)$') AS '\1',
    content_hash,
    load_id,
    row_number
FROM standardised
ANTI JOIN rejected USING (load_id, row_number);
