-- One row per calendar day from the first day a case was received to the last day a
-- case was received or completed. The days come from dbt's cross-database
-- generate_series macro (standard SQL), enough for var('date_spine_max_days') days.
with bounds as (

    select
        min(received_date) as first_day,
        max(coalesce(completed_date, received_date)) as last_day
    from {{ ref('stg_curated__court_cases') }}

),

numbers as (

    {{ dbt.generate_series(var('date_spine_max_days')) }}

),

days as (

    select {{ dbt.cast(dbt.dateadd("day", "numbers.generated_number - 1", "bounds.first_day"), "date") }} as date_day
    from numbers
    cross join bounds
    where numbers.generated_number - 1 <= {{ dbt.datediff("bounds.first_day", "bounds.last_day", "day") }}

)

select
    date_day,
    extract(year from date_day) as calendar_year,
    extract(quarter from date_day) as calendar_quarter,
    extract(month from date_day) as calendar_month,
    {{ dbt.cast(dbt.date_trunc("quarter", "date_day"), "date") }} as quarter_start_date,
    {{ dbt.cast(dbt.date_trunc("month", "date_day"), "date") }} as month_start_date
from days
