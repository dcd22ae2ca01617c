-- The 1 July 2025 crosswalk, old unit -> new unit (published as unit_crosswalk). Provinces and
-- communes: every row of vietnamadminunits' conversion data (seed ref_unit_crosswalk, generated
-- from the library by seeds/generate_unit_crosswalk.py), a split commune once per part, its
-- default part flagged. Departments and districts of the directory are not in the library:
-- a department follows its province (int_unit_new_map), a district goes to its new province.
with units as (
    select * from {{ ref('int_units') }}
),

library as (
    select * from {{ ref('ref_unit_crosswalk') }}
),

mapped as (
    select * from {{ ref('int_unit_new_map') }}
)

select
    l.old_unit_code, l.old_unit_type, l.old_unit_name, l.old_parent_name,
    l.new_unit_code, l.new_unit_type, l.new_unit_name,
    l.old_admin_code, l.new_admin_code,
    l.is_default,
    l.source,
    d.unit_code is not null as in_directory
from library as l
left join units as d on d.unit_code = l.old_unit_code

union all

select
    o.unit_code as old_unit_code, o.unit_type as old_unit_type, o.unit_name as old_unit_name,
    p.unit_name as old_parent_name,
    coalesce(m.new_unit_code, pm.new_unit_code) as new_unit_code,
    n.unit_type as new_unit_type, n.unit_name as new_unit_name,
    cast(null as {{ dbt.type_string() }}) as old_admin_code, cast(null as {{ dbt.type_string() }}) as new_admin_code,
    true as is_default,
    case when o.unit_type = 'SO' then 'department follows its province'
         else 'district abolished 1 July 2025: its new province' end as source,
    true as in_directory
from units as o
inner join units as p on p.unit_code = o.parent_code
inner join library as pm on pm.old_unit_code = o.parent_code and pm.is_default
left join mapped as m on m.unit_code = o.unit_code and o.unit_type = 'SO'
left join units as n on n.unit_code = coalesce(m.new_unit_code, pm.new_unit_code)
where o.unit_type in ('SO', 'HUYEN')
  and o.valid_to < cast('{{ var("map_reform_date") }}' as date)
