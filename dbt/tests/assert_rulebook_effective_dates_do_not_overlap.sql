-- A criterion has at most one row in force on any day of a rule version, and no row ends
-- before it starts: otherwise a period would be scored twice for it.
select a.rule_version, a.criterion_code, a.effective_from, b.effective_from as overlapping_from
from {{ ref('rulebook_criteria') }} as a
inner join {{ ref('rulebook_criteria') }} as b
    on b.rule_version = a.rule_version and b.criterion_code = a.criterion_code
    and coalesce(b.effective_from, cast('1900-01-01' as date)) > coalesce(a.effective_from, cast('1900-01-01' as date))
    and (a.effective_to is null or a.effective_to >= coalesce(b.effective_from, cast('1900-01-01' as date)))
union all
select rule_version, criterion_code, effective_from, null
from {{ ref('rulebook_criteria') }}
where effective_to < effective_from
