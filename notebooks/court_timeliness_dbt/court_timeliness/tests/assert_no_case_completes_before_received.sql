-- A case cannot complete before the court receives it. Checked on every version of
-- every case, so that a bad row in the history is caught too.
-- Returns the offending versions; the test passes when it returns none.
select
    case_id,
    valid_from_at,
    received_date,
    completed_date
from {{ ref('stg_curated__court_cases') }}
where completed_date < received_date
