-- Every (unit, ancestor) pair including the unit itself: a unit is scored over the dossiers
-- of all units under its authority, so counts roll up along this bridge (never scores).
with recursive walk as (
    select unit_code, unit_code as ancestor_code, parent_code as next_code, 0 as depth
    from {{ ref('stg_units') }}

    union all

    select w.unit_code, u.unit_code, u.parent_code, w.depth + 1
    from walk as w
    inner join {{ ref('stg_units') }} as u on u.unit_code = w.next_code
    where w.depth < 10
)

select unit_code, ancestor_code, depth
from walk
