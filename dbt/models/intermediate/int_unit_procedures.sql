-- Public procedures under each unit's authority (rulebook §5a, csdl_tthc_donvi): those assigned to
-- the unit itself or, for a province or ministry, to any unit under it, in force at the as-of date.
-- Two departments of one province therefore never see each other's procedures. CapThucHien no
-- longer decides anything here: it describes the catalogue only.
with ctx as (select * from {{ ref('int_run_context') }}),

assigned as (
    select a.unit_code, a.procedure_code
    from {{ ref('stg_unit_procedures') }} as a
    cross join ctx
    where a.applies_from <= ctx.as_of_date
      and (a.applies_until is null or a.applies_until >= ctx.as_of_date)
)

select distinct
    anc.ancestor_code as unit_code,
    p.procedure_code,
    p.has_fee,
    p.serves_citizens,
    p.online_level,
    p.has_all_parts
from assigned as x
inner join {{ ref('int_unit_ancestors') }} as anc on anc.unit_code = x.unit_code
inner join {{ ref('stg_procedures') }} as p on p.procedure_code = x.procedure_code
where p.catalogue_status = 'public'
