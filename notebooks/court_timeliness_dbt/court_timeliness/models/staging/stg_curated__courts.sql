-- One row per court: renamed and cast. No joins, no aggregation.
with source as (

    select * from {{ source('curated', 'courts') }}

),

renamed as (

    select
        {{ dbt.cast("court_code", dbt.type_string()) }} as court_code,
        {{ dbt.cast("court_name", dbt.type_string()) }} as court_name,
        {{ dbt.cast("court_type", dbt.type_string()) }} as court_type,
        {{ dbt.cast("region", dbt.type_string()) }} as region
    from source

)

select * from renamed
