{#
  The latest row per key of a versioned or snapshotted raw table: every source keeps all versions
  and staging picks one (latest NgayCapNhat / snapshot; ties broken by the later delivery and line).
#}
{% macro latest_rows(relation, partition_by, order_by, where=none) %}
    select * from (
        select t.*, row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as latest_rank
        from {{ relation }} as t
        {% if where %}where {{ where }}{% endif %}
    ) as ranked
    where latest_rank = 1
{% endmacro %}
