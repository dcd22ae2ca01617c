-- Redistribution moves points inside a group but never creates any: a group's maximum is at most
-- its rulebook maximum (less only when a whole group is left out).
select s.unit_code, s.period, s.group_code
from (
    select unit_code, period_type, period, group_code, sum(max_points) as max_points, sum(rulebook_max_points) as rulebook_max
    from {{ ref('fct_criterion_scores') }}
    group by unit_code, period_type, period, group_code
) as s
where s.max_points > s.rulebook_max + 1e-9
