-- Every rule version's criteria share exactly 100 points.
select rule_version, sum(max_points) as total
from {{ ref('rulebook_criteria') }}
group by rule_version
having abs(sum(max_points) - 100) > 1e-9
