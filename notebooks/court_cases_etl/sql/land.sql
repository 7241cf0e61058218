-- Land the batch as text: one read of all its files that share a header
-- order (almost always all of them), with each row's file by its number in
-- the batch (`file_number`: a number a row, not the file's path).
-- Every column is read as VARCHAR, so a bad value never stops the load: it
-- is judged later, row by row. Lines the reader cannot split (too few or
-- too many values, bytes that are not UTF-8, an unclosed quote, a line over
-- 2 MB) are kept in `malformed` with their line numbers, not dropped.
CREATE TEMP TABLE IF NOT EXISTS landing AS
SELECT
    unnest(getvariable('extract_as_text')),
    NULL::INTEGER AS file_number
WITH NO DATA;

CREATE TEMP TABLE IF NOT EXISTS malformed (
    filename VARCHAR,
    line BIGINT,
    error_type VARCHAR,
    error_message VARCHAR,
    csv_line VARCHAR
);

DROP TABLE IF EXISTS csv_rejects;
DROP TABLE IF EXISTS csv_scans;

INSERT INTO landing BY NAME
SELECT
    * EXCLUDE (filename),
    list_position(getvariable('batch_paths'), filename)::INTEGER AS file_number
FROM read_csv(
    getvariable('land_files'),
    columns = getvariable('land_columns'),  -- the files' own header order, every column VARCHAR
    header = true,
    delim = ',',
    quote = '"',
    escape = '"',
    auto_detect = false,
    strict_mode = true,
    max_line_size = 2000000,
    filename = true,
    store_rejects = true,
    rejects_table = 'csv_rejects',
    rejects_scan = 'csv_scans'
);

INSERT INTO malformed
SELECT
    scans.file_path,
    rejects.line,
    rejects.error_type,
    rejects.error_message,
    rejects.csv_line
FROM csv_rejects AS rejects
INNER JOIN csv_scans AS scans USING (scan_id, file_id);

-- Did the reader read each file whole? Every file's records were counted
-- before DuckDB read it, by another reader (rows_counted, in batch_files).
-- The rows landed plus the lines that could not be split must make the
-- same number. A file read short is read again on its own (DuckDB 1.5 has
-- been seen to drop a broken last line without a word when it reads several
-- files at once); a file still short is refused, and nothing from it goes on.
CREATE OR REPLACE TEMP VIEW batch_read AS
WITH landed AS (
    SELECT
        file_number,
        count(*) AS n_rows,
        min(rowid) AS first_rowid
    FROM landing
    GROUP BY file_number
),

unsplit AS (
    SELECT
        filename,
        count(DISTINCT line) AS n_lines
    FROM malformed
    GROUP BY filename
)

SELECT
    files.*,
    landed.first_rowid,
    coalesce(landed.n_rows, 0) + coalesce(unsplit.n_lines, 0) AS rows_landed,
    rows_landed = files.rows_counted AS read_whole
FROM batch_files AS files
LEFT JOIN landed ON landed.file_number = files.file_number
LEFT JOIN unsplit ON unsplit.filename = files.file_path;
