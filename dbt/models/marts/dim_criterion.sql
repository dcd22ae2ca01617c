-- The rulebook as published (`criteria`): every criterion of every rule version, with its group's
-- names and place in the portal's six columns and the Decision's five groups (rulebook_groups),
-- and the unit levels where it does not apply and the policy used there. Reports take every group
-- label from here.
with not_applicable as (
    select rule_version, criterion_code,
           {{ dbt.listagg(dbt.concat(['unit_type', "':'", 'policy']), "', '", "order by unit_type") }} as not_applicable
    from {{ ref('rulebook_applicability') }}
    group by rule_version, criterion_code
)

select
    c.rule_version, c.criterion_code, c.group_code, g.five_group_code, c.name_vi, c.name_en, c.max_points,
    c.curve, c.target, c.period_basis, c.empty_policy, na.not_applicable, c.evidence,
    c.effective_from, c.effective_to, c.sort_order,
    g.name_vi as group_name_vi, g.name_en as group_name_en, g.sort_order as group_sort_order,
    f.name_vi as five_group_name_vi, f.name_en as five_group_name_en, f.sort_order as five_group_sort_order
from {{ ref('rulebook_criteria') }} as c
left join {{ ref('rulebook_groups') }} as g
    on g.rule_version = c.rule_version and g.group_code = c.group_code
left join {{ ref('rulebook_groups') }} as f
    on f.rule_version = g.rule_version and f.group_code = g.five_group_code
left join not_applicable as na
    on na.rule_version = c.rule_version and na.criterion_code = c.criterion_code
