-- The rulebook as published: every criterion of every rule version, with the unit levels where it
-- does not apply and the policy used there.
with not_applicable as (
    select rule_version, criterion_code,
           {{ dbt.listagg(dbt.concat(['unit_type', "':'", 'policy']), "', '", "order by unit_type") }} as not_applicable
    from {{ ref('rulebook_applicability') }}
    group by rule_version, criterion_code
)

select
    c.rule_version, c.criterion_code, c.group_code, c.five_group_code, c.name_vi, c.name_en, c.max_points,
    c.curve, c.target, c.period_basis, c.empty_policy, na.not_applicable, c.evidence,
    c.effective_from, c.effective_to, c.sort_order
from {{ ref('rulebook_criteria') }} as c
left join not_applicable as na
    on na.rule_version = c.rule_version and na.criterion_code = c.criterion_code
