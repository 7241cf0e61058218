-- One row per court.
with courts as (

    select * from {{ ref('stg_curated__courts') }}

)

select
    court_code,
    court_name,
    court_type,
    region,
    court_type = 'crown' as is_crown_court
from courts
