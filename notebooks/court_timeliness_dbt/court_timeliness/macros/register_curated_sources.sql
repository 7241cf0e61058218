{#
    register_curated_sources(): make the curated Parquet folders readable as the
    project's sources. It runs at the start of every dbt command (on-run-start in
    dbt_project.yml) and dispatches per engine:

    - DuckDB, Athena and the rest (default): nothing to do. DuckDB reads the Parquet in
      place through each table's `meta.external_location`; on Athena the sources are the
      Glue tables that the ETL keeps.
    - Spark: for each source table with an `external.location`, a table over that path
      with the columns' `data_type`, partitioned by `external.partitions`. A table over a
      Hive-partitioned folder reads no rows until its partitions are discovered, so the
      macro recovers them and then checks that the table reads at least one row.

    The tables are dropped and made again on every run, so that they always point at
    the curated data of this run (`var('curated_dir')`, an absolute path or a URL: Spark
    reads a relative LOCATION as relative to the schema's folder in its warehouse). They are EXTERNAL tables (they
    have a LOCATION): dropping one removes its definition, never the files.
#}
{% macro register_curated_sources() -%}
    {{ return(adapter.dispatch('register_curated_sources', 'court_timeliness')()) }}
{%- endmacro %}

{% macro default__register_curated_sources() -%}
{%- endmacro %}

{% macro spark__register_curated_sources() -%}
    {%- if execute -%}
        {%- set sources = [] -%}
        {%- for source in graph.sources.values()
            if source.package_name == 'court_timeliness' and (source.external or {}).get('location') -%}
            {%- do sources.append(source) -%}
        {%- endfor -%}
        {%- for schema in sources | map(attribute='schema') | unique -%}
            {%- do run_query('create schema if not exists ' ~ schema) -%}
        {%- endfor -%}
        {%- for source in sources -%}
            {%- set external = source.external -%}
            {%- if not modules.re.match('^(/|[a-z][a-z0-9+.-]*:)', external.location) -%}
                {{ exceptions.raise_compiler_error(
                    "Source " ~ source.source_name ~ "." ~ source.name ~ " is at " ~ external.location
                    ~ ", a relative path: Spark would look for it beside its warehouse, not here. Give"
                    ~ " curated_dir as an absolute path: --vars '{curated_dir: /path/to/curated}'.") }}
            {%- endif -%}
            {%- set partitions = external.get('partitions') or [] -%}
            {%- set partition_names = partitions | map(attribute='name') | list -%}
            {%- set relation = api.Relation.create(schema=source.schema, identifier=source.identifier) -%}
            {%- set columns = [] -%}
            {%- for column in source.columns.values() -%}
                {%- if not column.data_type -%}
                    {{ exceptions.raise_compiler_error(
                        "Source " ~ source.source_name ~ "." ~ source.name ~ ", column " ~ column.name
                        ~ ": give it a data_type in " ~ source.original_file_path ~ " (Spark needs one).") }}
                {%- endif -%}
                {%- do columns.append(column.name ~ ' ' ~ column.data_type) -%}
            {%- endfor -%}
            {%- for name in partition_names if name not in source.columns -%}
                {{ exceptions.raise_compiler_error(
                    "Source " ~ source.source_name ~ "." ~ source.name ~ ": the partition column " ~ name
                    ~ " is not among its columns in " ~ source.original_file_path ~ ". List it, with its data_type.") }}
            {%- endfor -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- set create -%}
                create table {{ relation }} ({{ columns | join(', ') }})
                using {{ external.get('file_format', 'parquet') }}
                {% if partition_names -%} partitioned by ({{ partition_names | join(', ') }}) {%- endif %}
                location '{{ external.location | replace("'", "\\'") }}'
            {%- endset -%}
            {%- do run_query(create) -%}
            {%- if partition_names -%}
                {%- do run_query('alter table ' ~ relation ~ ' recover partitions') -%}
            {%- endif -%}
            {%- set found = run_query('select count(*) from ' ~ relation).columns[0].values()[0] -%}
            {%- if found == 0 -%}
                {{ exceptions.raise_compiler_error(
                    "Source " ~ source.source_name ~ "." ~ source.name ~ " reads no rows from "
                    ~ external.location ~ ". Check curated_dir (make the curated data with"
                    ~ " court_cases_etl.ensure_curated()) and, for a partitioned folder, that its"
                    ~ " subfolders are named like " ~ (partition_names | first or 'name') ~ "=value.") }}
            {%- endif -%}
            {{ log("Registered " ~ relation ~ " over " ~ external.location ~ ": " ~ found ~ " rows", info=false) }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
