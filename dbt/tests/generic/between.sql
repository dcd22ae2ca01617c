{# Column within [min_value, max_value]; nulls pass (a ratio is null when its denominator is 0). #}
{% test between(model, column_name, min_value, max_value) %}
select * from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
