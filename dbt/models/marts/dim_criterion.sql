-- The rulebook as published: every criterion of every rule version.
select
    rule_version, criterion_code, group_code, five_group_code, name_vi, name_en, max_points,
    curve, target, period_basis, empty_policy, evidence, effective_from, effective_to, sort_order
from {{ ref('rulebook_criteria') }}
