-- The marts count the same cases as the curated source, counted another way: straight
-- from the source, not through the models and their joins. fct_cases has one row per
-- current version in the source (a live case), and the completed cases of
-- fct_court_quarter_timeliness add up to those of fct_cases, so no join lost a case.
-- Returns the counts when they disagree; the test passes when it returns none.
with source_counts as (

    select
        count(*) as live_cases,
        sum(case when completed_date is not null then 1 else 0 end) as completed_cases
    from {{ source('curated', 'court_cases') }}
    where mojap_current_record

),

fact_counts as (

    select
        count(*) as live_cases,
        sum(case when is_completed then 1 else 0 end) as completed_cases
    from {{ ref('fct_cases') }}

),

timeliness_counts as (

    select sum(completed_case_count) as completed_cases
    from {{ ref('fct_court_quarter_timeliness') }}

)

select
    source_counts.live_cases as source_live_cases,
    fact_counts.live_cases as fact_live_cases,
    source_counts.completed_cases as source_completed_cases,
    fact_counts.completed_cases as fact_completed_cases,
    timeliness_counts.completed_cases as timeliness_completed_cases
from source_counts
cross join fact_counts
cross join timeliness_counts
where
    source_counts.live_cases <> fact_counts.live_cases
    or source_counts.completed_cases <> fact_counts.completed_cases
    or fact_counts.completed_cases <> timeliness_counts.completed_cases
