-- Unit → every unit whose score includes it (itself included); join dossiers through it to list
-- everything behind a unit's ratio.
select unit_code, ancestor_code, depth
from {{ ref('int_unit_ancestors') }}
