{#
  Sums per-unit monthly counts up the unit hierarchy (every ancestor, self included) and over the
  months of each scoring period. `additive` columns are summed as they are; each `horizon` column
  exists as <name>_m/_q/_h/_y (judged at the month/quarter/half/year evaluation date) and the one
  matching the period's horizon is summed. Returns a select of (unit_code, period_type, period, ...).
#}
{% macro roll_up_months(counts, month_column, additive=[], horizon=[]) %}
    select
        a.ancestor_code as unit_code,
        pm.period_type,
        pm.period,
        {% for c in additive %}sum(c.{{ c }}) as {{ c }},
        {% endfor %}
        {% for h in horizon %}sum(case pm.verdict_horizon when 'm' then c.{{ h }}_m when 'q' then c.{{ h }}_q
                                   when 'h' then c.{{ h }}_h else c.{{ h }}_y end) as {{ h }},
        {% endfor %}
        count(*) as unit_months
    from {{ counts }} as c
    inner join {{ ref('int_unit_ancestors') }} as a on a.unit_code = c.unit_code
    inner join {{ ref('int_period_months') }} as pm on pm.month_start = c.{{ month_column }}
    group by a.ancestor_code, pm.period_type, pm.period
{% endmacro %}
