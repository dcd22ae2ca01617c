{# A rulebook parameter of the selected rule version, as a scalar subquery (value is varchar). #}
{% macro rulebook_param(criterion_code, parameter, block='*') -%}
    (select value from {{ ref('rulebook_parameters') }}
     where rule_version = '{{ var("rule_version") }}' and criterion_code = '{{ criterion_code }}'
       and parameter = '{{ parameter }}' and block = '{{ block }}')
{%- endmacro %}
