-- The versions of a case follow one another: a version ends no later than the next one
-- starts, so a case never has two versions valid at the same moment.
-- Returns the versions that break this; the test passes when it returns none.
with ordered as (

    select
        case_id,
        valid_from_at,
        valid_to_at,
        lead(valid_from_at) over (partition by case_id order by valid_from_at) as next_valid_from_at
    from {{ ref('stg_curated__court_cases') }}

)

select
    case_id,
    valid_from_at,
    valid_to_at,
    next_valid_from_at
from ordered
where next_valid_from_at < valid_to_at
