-- Bronze is the raw files themselves, kept as they were delivered: `loads`
-- keeps where each file read whole is and its fingerprint, so that it can be
-- read again exactly as it was loaded (pipeline.read_bronze). This is the
-- first step inside the batch's transaction: the steps before it (landing,
-- validation) fill only temporary tables.
INSERT INTO loads BY NAME
SELECT
    load_id,
    file_name,
    file_location AS file_path,
    file_sha256,
    getvariable('loaded_at') AS loaded_at
FROM batch_loads;

-- Lines the reader could not split go straight to quarantine, one row per line.
INSERT INTO quarantine BY NAME
SELECT
    batch_loads.load_id,
    batch_loads.file_name,
    malformed.line AS line_number,
    'malformed_line' AS rule,
    format(
        'line {}: {}. {}',
        malformed.line,
        string_agg(DISTINCT malformed.error_message, '; ' ORDER BY malformed.error_message),
        CASE
            WHEN bool_or(malformed.error_type = 'MISSING COLUMNS')
                THEN 'The line has too few values: it may be cut short. Ask the source to resend the file.'
            WHEN bool_or(malformed.error_type = 'TOO MANY COLUMNS')
                THEN 'The line has too many values: a comma inside a value needs quotes.'
            WHEN bool_or(malformed.error_type = 'INVALID ENCODING')
                THEN 'The line holds bytes that are not UTF-8. Ask for the file in UTF-8.'
            WHEN bool_or(malformed.error_type = 'LINE SIZE OVER MAXIMUM')
                THEN 'The line is too long to be a real case event.'
            ELSE 'Check this line in the file.'
        END
    ) AS reason,
    left(any_value(malformed.csv_line), 500) AS raw_line
FROM malformed
INNER JOIN batch_loads ON batch_loads.file_path = malformed.filename
GROUP BY batch_loads.load_id, batch_loads.file_name, malformed.line;
