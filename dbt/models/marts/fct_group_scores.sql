-- One row per scored unit × period × group: each portal column (rulebook_groups.portal_column)
-- rounded to 2 decimals as the portal shows it, and each group of the Decision's five-group view
-- that is not a portal column (CCDVTT = CLGQ + TTTT) as the sum of its rounded portal columns.
-- Which groups exist and how they combine is read from the rulebook_groups seed, never listed here.
with rule_groups as (
    select * from {{ ref('rulebook_groups') }} where rule_version = '{{ var("rule_version") }}'
),

portal as (
    select
        unit_code, unit_name, unit_type, block, parent_code,
        period_type, period, period_start, period_end, eval_date, as_of_date, rule_version,
        group_code,
        {{ sum_to_cents('points') }} as points,
        round(sum(max_points), 2) as max_points
    from {{ ref('fct_criterion_scores') }}
    group by unit_code, unit_name, unit_type, block, parent_code,
             period_type, period, period_start, period_end, eval_date, as_of_date, rule_version, group_code
)

select * from portal

union all

select
    p.unit_code, p.unit_name, p.unit_type, p.block, p.parent_code,
    p.period_type, p.period, p.period_start, p.period_end, p.eval_date, p.as_of_date, p.rule_version,
    five.group_code,
    round(sum(p.points), 2) as points,
    round(sum(p.max_points), 2) as max_points
from portal as p
inner join rule_groups as member on member.group_code = p.group_code
inner join rule_groups as five on five.group_code = member.five_group_code and not five.portal_column
group by p.unit_code, p.unit_name, p.unit_type, p.block, p.parent_code,
         p.period_type, p.period, p.period_start, p.period_end, p.eval_date, p.as_of_date, p.rule_version,
         five.group_code
