-- A live case has exactly one current version, and it is the one whose validity has
-- not ended (valid_to_at = 2999-01-01). A deleted case has no current version at all.
-- Returns the cases that break this; the test passes when it returns none.
with case_versions as (

    select * from {{ ref('stg_curated__court_cases') }}

),

per_case as (

    select
        case_id,
        sum(case when is_current_record then 1 else 0 end) as current_record_count,
        sum(
            case
                when valid_to_at = {{ dbt.cast("'2999-01-01 00:00:00'", dbt.type_timestamp()) }} then 1 else 0
            end
        ) as open_ended_count
    from case_versions
    group by case_id

)

select
    case_id,
    current_record_count,
    open_ended_count
from per_case
where current_record_count > 1 or current_record_count <> open_ended_count
