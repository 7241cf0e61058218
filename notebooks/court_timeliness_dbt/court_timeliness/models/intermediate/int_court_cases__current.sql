-- The current version of each live case, with the measures the marts need.
-- A deleted case has no current version, so it drops out here.
with case_versions as (

    select * from {{ ref('stg_curated__court_cases') }}

),

current_versions as (

    select
        case_id,
        court_code,
        offence_category,
        received_date,
        completed_date,
        outcome,
        extracted_at,
        valid_from_at,
        completed_date is not null as is_completed,
        case
            when completed_date is not null
                then {{ dbt.datediff("received_date", "completed_date", "day") }}
        end as days_to_completion,
        {{ dbt.cast(dbt.date_trunc("quarter", "received_date"), "date") }} as received_quarter,
        case
            when completed_date is not null
                then {{ dbt.cast(dbt.date_trunc("quarter", "completed_date"), "date") }}
        end as completed_quarter
    from case_versions
    where is_current_record

)

select * from current_versions
