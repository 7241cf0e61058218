{#
    has_rows: the model holds at least `min_rows` rows. Every other test passes on an
    empty table (there is nothing to break a rule), so each mart carries this one: a
    build whose sources read nothing fails here instead of passing unseen.
    Returns one row, the count, when there are too few rows.
#}
{% test has_rows(model, min_rows=1) %}

    select row_count
    from (
        select count(*) as row_count
        from {{ model }}
    ) as counted
    where row_count < {{ min_rows }}

{% endtest %}
