{#- dbt's hook for a data test's `where` config (dbt docs, resource-configs/where: "custom logic"),
    with one addition: `__newest__(col)` stands for the newest value of `col` in the tested relation.

    `where: "staged_at = __newest__(staged_at)"` on a test of a model incremental by dossier
    (delete+insert on the key) tests only the rows its last build wrote: a night's, not 30 M rows
    of history every night. It holds for the rows not rebuilt: they are those an earlier build
    wrote and passed, unchanged since (a build whose test fails raises, the next build is a full
    refresh: assets/transform.py), and delete+insert cannot pair a new row with a kept one of the
    same key. A full refresh stamps every row alike, so it tests them all. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- set where = modules.re.sub('__newest__\\((\\w+)\\)', '(select max(\\1) from ' ~ relation ~ ')', where) -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
