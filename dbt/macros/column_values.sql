{#
  The distinct values of a column of a relation, ordered, as a Jinja list (dbt_utils'
  get_column_values, which is not vendored here). Used where a rulebook seed decides the columns a
  model has (the portal columns of unit_scores). At parse time nothing is queried and the list is
  empty: the compiled SQL of a parse is never run.
#}
{% macro column_values(relation, column, where='true', order_by=none) -%}
    {% if not execute %}{{ return([]) }}{% endif %}
    {% set query %}
        select {{ column }} from {{ relation }} where {{ where }}
        group by {{ column }} order by {{ order_by or column }}
    {% endset %}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}

{# The portal columns of the selected rule version, in portal order (rulebook_groups). #}
{% macro portal_group_codes() -%}
    {{ return(column_values(ref('rulebook_groups'), 'group_code',
                            where="portal_column and rule_version = '" ~ var('rule_version') ~ "'",
                            order_by='min(sort_order)')) }}
{%- endmacro %}
