{#
  The latest row per key of a versioned or snapshotted raw table: every source keeps all versions
  and staging picks one (latest NgayCapNhat / snapshot; ties broken by the later delivery and line).
  `where` (the incremental models' touched keys) may name the relation's columns as t.<column>.
#}
{% macro latest_rows(relation, partition_by, order_by, where=none) %}
    {{ return(adapter.dispatch('latest_rows', 'svcindex')(relation, partition_by, order_by, where)) }}
{% endmacro %}

{# DuckDB: rank narrow rows (the key, the order and the row id), then read the winners' whole rows.
   Ranking whole rows sorts their lists and structs too, at about twice the cost (bench/README.md,
   "The latest version ranked on narrow rows"). #}
{% macro duckdb__latest_rows(relation, partition_by, order_by, where=none) %}
    select * from {{ relation }}
    where rowid in (
        select t.rowid from {{ relation }} as t
        {% if where %}where {{ where }}{% endif %}
        qualify row_number() over (partition by {{ partition_by }} order by {{ order_by }}) = 1
    )
{% endmacro %}

{% macro default__latest_rows(relation, partition_by, order_by, where=none) %}
    select * from (
        select t.*, row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as latest_rank
        from {{ relation }} as t
        {% if where %}where {{ where }}{% endif %}
    ) as ranked
    where latest_rank = 1
{% endmacro %}
