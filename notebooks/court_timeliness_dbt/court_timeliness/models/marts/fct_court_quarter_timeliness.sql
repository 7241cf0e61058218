-- Timeliness of completed cases by court and quarter of completion: how many days cases
-- took from receipt to completion (median and 90th percentile).
with completed_cases as (

    select * from {{ ref('fct_cases') }}
    where is_completed

),

courts as (

    select * from {{ ref('dim_courts') }}

)

select
    completed_cases.court_code,
    courts.court_name,
    completed_cases.completed_quarter,
    count(*) as completed_case_count,
    {{ percentile("completed_cases.days_to_completion", 0.5) }} as median_days_to_completion,
    {{ percentile("completed_cases.days_to_completion", 0.9) }} as p90_days_to_completion
from completed_cases
inner join courts
    on completed_cases.court_code = courts.court_code
group by
    completed_cases.court_code,
    courts.court_name,
    completed_cases.completed_quarter
