-- One row per scored unit × period: the six portal columns, the total (sum of the rounded
-- columns, as the portal does), the rating band, ranks and the change since the previous period.
with pivoted as (
    select
        unit_code, unit_name, unit_type, block, parent_code,
        period_type, period, period_start, period_end, eval_date, as_of_date, rule_version,
        {% for g in ['CKMB', 'TDGQ', 'CLGQ', 'TTTT', 'MDSH', 'MDHL'] %}
        sum(case when group_code = '{{ g }}' then points else 0 end) as {{ g | lower }},
        {% endfor %}
        round(sum(case when group_code <> 'CCDVTT' then points else 0 end), 2) as total
    from {{ ref('fct_group_scores') }}
    group by unit_code, unit_name, unit_type, block, parent_code,
             period_type, period, period_start, period_end, eval_date, as_of_date, rule_version
),

bands as (
    select * from {{ ref('rulebook_bands') }} where rule_version = '{{ var("rule_version") }}'
),

banded as (
    select
        p.*,
        {{ band_for('p.total', 'bands') }}
            as band
    from pivoted as p
)

select
    cur.*,
    rank() over (partition by cur.period_type, cur.period, cur.block, cur.unit_type order by cur.total desc)
        as rank_in_block,
    case when cur.parent_code is not null then
        rank() over (partition by cur.period_type, cur.period, cur.parent_code, cur.unit_type order by cur.total desc)
    end as rank_in_parent,
    round(cur.total - prev.total, 2) as total_change
from banded as cur
left join {{ ref('int_periods') }} as per
    on per.period_type = cur.period_type and per.period = cur.period
left join pivoted as prev
    on prev.unit_code = cur.unit_code and prev.period_type = cur.period_type
    and prev.period = per.previous_period
