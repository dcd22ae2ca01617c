-- The procedures under each scoring unit's authority (assigned to it or a unit under it, in force
-- at the as-of date): the denominators of TTTT.1/2 (fee-bearing), MDSH.6 (serving citizens) and,
-- below the province, CLGQ.1. `svcindex explain` lists them procedure by procedure.
select unit_code, procedure_code, has_fee, serves_citizens, online_level, has_all_parts
from {{ ref('int_unit_procedures') }}
