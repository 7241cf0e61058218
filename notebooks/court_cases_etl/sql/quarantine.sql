-- Quarantine: every row that broke a rule, as it arrived, with the rule and the reason.
INSERT INTO quarantine
SELECT
    load_id,
    file_name,
    row_number,
    NULL AS line_number,
    rule,
    reason,
    case_id,
    court_code,
    offence_category,
    received_date,
    completed_date,
    outcome,
    op,
    extraction_timestamp,
    NULL AS raw_line
FROM checked
WHERE rule IS NOT NULL
ORDER BY row_number;
