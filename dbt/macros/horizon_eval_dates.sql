{#
  eval_m / eval_q / eval_h / eval_y: the evaluation date of the month, quarter, half and year
  (= year-to-date) containing `day`, i.e. min(period end, as-of date).
#}
{% macro horizon_eval_dates(day, as_of) %}
    least(cast({{ dbt.last_day(day, 'month') }} as date), {{ as_of }}) as eval_m,
    least(cast({{ dbt.last_day(day, 'quarter') }} as date), {{ as_of }}) as eval_q,
    least(cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 'case when extract(month from ' ~ day ~ ') <= 6 then 6 else 12 end', dbt.date_trunc('year', day))) }} as date), {{ as_of }}) as eval_h,
    least(cast({{ dbt.last_day(day, 'year') }} as date), {{ as_of }}) as eval_y
{% endmacro %}
