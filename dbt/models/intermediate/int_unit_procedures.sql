-- Public procedures a unit implements: the catalogue levels (CapThucHien) present in its subtree,
-- restricted to national procedures (announced by a ministry) and, for a province's units, the
-- province's own; a ministry's block implements what its block announced. Only the procedures the
-- distinct-procedure criteria count (fee-bearing or serving citizens) are kept.
with subtree_levels as (
    select distinct a.ancestor_code as unit_code, u.unit_type
    from {{ ref('int_unit_ancestors') }} as a
    inner join {{ ref('int_units') }} as u on u.unit_code = a.unit_code
),

procedures as (
    select p.procedure_code, p.has_fee, p.serves_citizens, ann.block as announcer_block,
           ann.province_code as announcer_province
    from {{ ref('stg_procedures') }} as p
    left join {{ ref('int_units') }} as ann on ann.unit_code = p.announcing_unit_code
    where p.catalogue_status = 'public' and (p.has_fee or p.serves_citizens)
)

select distinct s.unit_code, pr.procedure_code, pr.has_fee, pr.serves_citizens
from subtree_levels as s
inner join {{ ref('stg_procedure_levels') }} as l on l.unit_type = s.unit_type
inner join procedures as pr on pr.procedure_code = l.procedure_code
inner join {{ ref('int_units') }} as me on me.unit_code = s.unit_code
where (me.block = 'BO' and pr.announcer_block = 'BO')
   or (me.block = 'TINH' and (pr.announcer_block = 'BO' or pr.announcer_province = me.province_code))
