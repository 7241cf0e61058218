-- Reconciliation: for each file of the batch, count each table on its own.
-- rows_read was counted from the file before DuckDB read it; rows_landed is
-- the rows DuckDB's reader gave plus the lines it could not split.
INSERT INTO reconciliation BY NAME
WITH landed AS (
    SELECT load_id, count(*) AS n
    FROM landed_rows
    GROUP BY load_id
),

silver AS (
    SELECT load_id, count(*) AS n
    FROM silver_court_cases
    WHERE load_id > getvariable('last_load_id')
    GROUP BY load_id
),

quarantined AS (
    SELECT
        load_id,
        count(*) AS n,
        count(*) FILTER (rule = 'malformed_line') AS malformed_lines
    FROM quarantine
    WHERE load_id > getvariable('last_load_id')
    GROUP BY load_id
),

counted AS (
    SELECT
        files.load_id,
        files.file_name,
        files.rows_counted AS rows_read,
        coalesce(landed.n, 0) + coalesce(quarantined.malformed_lines, 0) AS rows_landed,
        coalesce(silver.n, 0) AS rows_loaded,
        coalesce(quarantined.n, 0) AS rows_quarantined
    FROM batch_loads AS files
    LEFT JOIN landed ON landed.load_id = files.load_id
    LEFT JOIN silver ON silver.load_id = files.load_id
    LEFT JOIN quarantined ON quarantined.load_id = files.load_id
)

SELECT
    *,
    rows_read = rows_landed AND rows_read = rows_loaded + rows_quarantined AS balanced
FROM counted;
