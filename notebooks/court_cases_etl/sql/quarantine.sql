-- Quarantine: every row that broke a rule, as it arrived, with the rule and the reason.
INSERT INTO quarantine BY NAME
SELECT
    rejected.load_id,
    loads.file_name,
    rejected.row_number,
    rejected.rule,
    rejected.reason,
    COLUMNS(getvariable('extract_columns'))  -- the row's values, exactly as they arrived
FROM rejected
INNER JOIN landed_rows AS arrived
    ON arrived.load_id = rejected.load_id
    AND arrived.row_number = rejected.row_number
INNER JOIN loads ON loads.load_id = rejected.load_id;
