-- Bronze: append the landed rows exactly as read, with load metadata.
-- row_number is the row's position among the rows the reader could split.
INSERT INTO bronze_court_cases
SELECT
    getvariable('load_id') AS load_id,
    getvariable('file_name') AS file_name,
    rowid - (SELECT min(rowid) FROM landing) + 1 AS row_number,  -- rowid keeps file order
    getvariable('loaded_at') AS loaded_at,
    case_id,
    court_code,
    offence_category,
    received_date,
    completed_date,
    outcome,
    op,
    extraction_timestamp
FROM landing
ORDER BY rowid;

-- Lines the reader could not split go straight to quarantine, one row per line.
INSERT INTO quarantine (load_id, file_name, line_number, rule, reason, raw_line)
SELECT
    getvariable('load_id'),
    getvariable('file_name'),
    line,
    'malformed_line',
    format(
        'line {}: {}. {}',
        line,
        string_agg(DISTINCT error_message, '; '),
        CASE
            WHEN bool_or(error_type = 'MISSING COLUMNS')
                THEN 'The line has too few values: it may be cut short. Ask the source to resend the file.'
            WHEN bool_or(error_type = 'TOO MANY COLUMNS')
                THEN 'The line has too many values: a comma inside a value needs quotes.'
            WHEN bool_or(error_type = 'INVALID ENCODING')
                THEN 'The line holds bytes that are not UTF-8. Ask for the file in UTF-8.'
            WHEN bool_or(error_type = 'LINE SIZE OVER MAXIMUM')
                THEN 'The line is too long to be a real case event.'
            ELSE 'Check this line in the file.'
        END
    ),
    left(any_value(csv_line), 500)
FROM csv_rejects
GROUP BY line;
