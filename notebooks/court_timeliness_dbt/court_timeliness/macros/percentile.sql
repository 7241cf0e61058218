{#
    percentile(expression, fraction): the continuous percentile of `expression` within
    a group, for example percentile("days", 0.9). dbt has no cross-database macro for
    this, so it dispatches like dbt's own: standard SQL (`percentile_cont ... within
    group`, which DuckDB, Spark (3.3 and later), Postgres and Snowflake accept) by
    default, and Athena's approx_percentile on Athena (Trino has no percentile_cont).
#}
{% macro percentile(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile', 'court_timeliness')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro athena__percentile(expression, fraction) -%}
    approx_percentile({{ expression }}, {{ fraction }})
{%- endmacro %}
