{#
    unique_combination(columns): no two rows share the same values in `columns`, the
    model's key when it takes more than one column (dbt's own `unique` takes one).
    Returns each repeated combination with how many rows have it.
#}
{% test unique_combination(model, columns) %}

    select
        {{ columns | join(',\n        ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1

{% endtest %}
