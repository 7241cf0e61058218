-- One row per live case: its current version and what its history says.
with current_cases as (

    select * from {{ ref('int_court_cases__current') }}

),

history as (

    select * from {{ ref('int_court_cases__history') }}

)

select
    current_cases.case_id,
    current_cases.court_code,
    current_cases.offence_category,
    current_cases.received_date,
    current_cases.completed_date,
    current_cases.received_quarter,
    current_cases.completed_quarter,
    current_cases.outcome,
    current_cases.is_completed,
    current_cases.days_to_completion,
    history.version_count,
    history.first_extracted_at,
    history.last_extracted_at
from current_cases
inner join history
    on current_cases.case_id = history.case_id
