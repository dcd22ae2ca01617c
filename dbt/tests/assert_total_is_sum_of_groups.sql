-- The total is the plain sum of the six rounded portal columns, and each column matches group_scores.
select u.unit_code, u.period_type, u.period
from {{ ref('fct_unit_scores') }} as u
inner join (
    select unit_code, period_type, period, sum(points) as six_groups
    from {{ ref('fct_group_scores') }}
    where group_code <> 'CCDVTT'
    group by unit_code, period_type, period
) as g on g.unit_code = u.unit_code and g.period_type = u.period_type and g.period = u.period
where abs(u.total - (u.ckmb + u.tdgq + u.clgq + u.tttt + u.mdsh + u.mdhl)) > 0.005
   or abs(u.total - g.six_groups) > 0.005
