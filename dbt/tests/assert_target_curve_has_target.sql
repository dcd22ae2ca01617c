-- A target-curve criterion needs a positive target: without one, least(1, ratio / null) would be
-- null, and a missing target must fail the seed, never score full or zero marks silently.
select rule_version, criterion_code, target
from {{ ref('rulebook_criteria') }}
where curve = 'target' and (target is null or target <= 0)
