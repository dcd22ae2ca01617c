{#-
  Joins that find the date `days` working days after `from_date` (weekends and Vietnamese
  public holidays skipped): the result is `<alias>.calendar_date`. Used for every due date.
-#}
{% macro join_working_days_after(from_date, days, alias) -%}
    left join {{ ref('int_calendar') }} as {{ alias }}_from on {{ alias }}_from.calendar_date = {{ from_date }}
    left join {{ ref('int_working_days') }} as {{ alias }}
        on {{ alias }}.working_day_number = {{ alias }}_from.working_day_number + {{ days }}
{%- endmacro %}
