{# One (unit, period, criterion, numerator, denominator) row per listed (code, numerator, denominator). #}
{% macro unpivot_measures(relation, measures) %}
    {% for code, num, den in measures %}
    select unit_code, period_type, period, '{{ code }}' as criterion_code,
           cast({{ num }} as double) as numerator, cast({{ den }} as double) as denominator
    from {{ relation }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
{% endmacro %}
