-- One row per offence category, with a label for charts and tables.
with categories as (

    select * from {{ ref('offence_categories') }}

)

select
    {{ dbt.cast("offence_category", dbt.type_string()) }} as offence_category,
    {{ dbt.cast("offence_label", dbt.type_string()) }} as offence_label,
    {{ dbt.cast("is_violent_or_sexual", dbt.type_boolean()) }} as is_violent_or_sexual
from categories
