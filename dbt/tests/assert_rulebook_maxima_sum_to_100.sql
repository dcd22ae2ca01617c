-- Every rule version's criteria share exactly 100 points on every day a row takes effect (the
-- rows in force that day, as fct_criterion_scores picks them).
with days as (
    select distinct rule_version, coalesce(effective_from, cast('1900-01-01' as date)) as day
    from {{ ref('rulebook_criteria') }}
)

select d.rule_version, d.day, sum(c.max_points) as total
from days as d
inner join {{ ref('rulebook_criteria') }} as c
    on c.rule_version = d.rule_version
    and (c.effective_from is null or c.effective_from <= d.day)
    and (c.effective_to is null or c.effective_to >= d.day)
group by d.rule_version, d.day
having abs(sum(c.max_points) - 100) > 1e-9
