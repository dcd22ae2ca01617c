-- Units with their block (ministries vs provinces) and province, validity dates kept so districts
-- (abolished 1 July 2025) stay scorable for earlier periods.
with roots as (
    select a.unit_code, r.unit_code as root_code, r.unit_type as root_type
    from {{ ref('int_unit_ancestors') }} as a
    inner join {{ ref('stg_units') }} as r on r.unit_code = a.ancestor_code
    where r.parent_code is null
)

select
    u.unit_code,
    u.unit_name,
    u.unit_type,
    u.parent_code,
    case when roots.root_type = 'TINH' then roots.root_code end as province_code,
    case when roots.root_type = 'TINH' then 'TINH' else 'BO' end as block,
    -- the province or ministry at the top of the unit's tree: CKMB.1–3 are inherited from it
    roots.root_code,
    u.agency_id,
    u.valid_from,
    u.valid_to
from {{ ref('stg_units') }} as u
left join roots on roots.unit_code = u.unit_code
