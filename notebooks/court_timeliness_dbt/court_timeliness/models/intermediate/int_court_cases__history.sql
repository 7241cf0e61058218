-- What the history of each case says: how many versions it has had and when it was
-- first and last seen in an extract. Deleted cases are kept here.
with case_versions as (

    select * from {{ ref('stg_curated__court_cases') }}

),

history as (

    select
        case_id,
        count(*) as version_count,
        min(extracted_at) as first_extracted_at,
        max(extracted_at) as last_extracted_at,
        max(case when is_current_record then 1 else 0 end) = 1 as has_current_record
    from case_versions
    group by case_id

)

select * from history
