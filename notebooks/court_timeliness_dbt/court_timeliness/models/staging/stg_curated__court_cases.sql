-- One row per version of a case: renamed, cast and keyed. No joins, no aggregation.
with source as (

    select * from {{ source('curated', 'court_cases') }}

),

renamed as (

    select
        {{ dbt.hash(dbt.concat(["case_id", "'|'", dbt.cast("mojap_start_datetime", dbt.type_string())])) }}
            as case_version_id,
        {{ dbt.cast("case_id", dbt.type_string()) }} as case_id,
        {{ dbt.cast("court_code", dbt.type_string()) }} as court_code,
        {{ dbt.cast("offence_category", dbt.type_string()) }} as offence_category,
        {{ dbt.cast("received_date", "date") }} as received_date,
        {{ dbt.cast("completed_date", "date") }} as completed_date,
        {{ dbt.cast("outcome", dbt.type_string()) }} as outcome,
        {{ dbt.cast("extraction_timestamp", dbt.type_timestamp()) }} as extracted_at,
        {{ dbt.cast("mojap_start_datetime", dbt.type_timestamp()) }} as valid_from_at,
        {{ dbt.cast("mojap_end_datetime", dbt.type_timestamp()) }} as valid_to_at,
        {{ dbt.cast("mojap_current_record", dbt.type_boolean()) }} as is_current_record
    from source

)

select * from renamed
