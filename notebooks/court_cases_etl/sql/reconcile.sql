-- Reconciliation: count this load's rows in each table, independently.
-- Rows read = rows landed in bronze + lines the reader could not split.
INSERT INTO reconciliation
WITH counts AS (
    SELECT
        (SELECT count(*) FROM bronze_court_cases WHERE load_id = getvariable('load_id'))
        + (
            SELECT count(*) FROM quarantine
            WHERE load_id = getvariable('load_id') AND rule = 'malformed_line'
        ) AS rows_read,
        (SELECT count(*) FROM silver_court_cases WHERE load_id = getvariable('load_id')) AS rows_loaded,
        (SELECT count(*) FROM quarantine WHERE load_id = getvariable('load_id')) AS rows_quarantined
)

SELECT
    getvariable('load_id'),
    getvariable('file_name'),
    rows_read,
    rows_loaded,
    rows_quarantined,
    rows_read = rows_loaded + rows_quarantined AS balanced
FROM counts;
