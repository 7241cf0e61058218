-- Land one file as text. Every column is read as VARCHAR, so a bad value never
-- stops the load: it is judged later, row by row. Lines the reader cannot split
-- (too few or too many values, bytes that are not UTF-8, an unclosed quote, a
-- line over 2 MB) are kept in csv_rejects with their line number, not dropped.
DROP TABLE IF EXISTS csv_rejects;
DROP TABLE IF EXISTS csv_scans;

CREATE OR REPLACE TEMP TABLE landing AS
SELECT *
FROM read_csv(
    getvariable('file_path'),
    columns = getvariable('csv_columns'),  -- the file's own header, every column VARCHAR
    header = true,
    delim = ',',
    quote = '"',
    escape = '"',
    auto_detect = false,
    strict_mode = true,
    max_line_size = 2000000,
    store_rejects = true,
    rejects_table = 'csv_rejects',
    rejects_scan = 'csv_scans'
);
