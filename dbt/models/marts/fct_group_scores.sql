-- One row per scored unit × period × portal column (CKMB TDGQ CLGQ TTTT MDSH MDHL), each rounded
-- to 2 decimals as the portal shows it, plus CCDVTT = CLGQ + TTTT for the Decision's five groups.
with groups as (
    select
        unit_code, unit_name, unit_type, block, parent_code,
        period_type, period, period_start, period_end, eval_date, as_of_date, rule_version,
        group_code,
        round(sum(points), 2) as points,
        round(sum(max_points), 2) as max_points
    from {{ ref('fct_criterion_scores') }}
    group by unit_code, unit_name, unit_type, block, parent_code,
             period_type, period, period_start, period_end, eval_date, as_of_date, rule_version, group_code
)

select * from groups

union all

select
    unit_code, unit_name, unit_type, block, parent_code,
    period_type, period, period_start, period_end, eval_date, as_of_date, rule_version,
    'CCDVTT' as group_code,
    sum(points) as points,
    sum(max_points) as max_points
from groups
where group_code in ('CLGQ', 'TTTT')
group by unit_code, unit_name, unit_type, block, parent_code,
         period_type, period, period_start, period_end, eval_date, as_of_date, rule_version
