-- Every unit of the directory -> the unit it is on the post-reform map ("theo địa giới sau sắp
-- xếp"), level for level, so that counts can be summed: a unit that exists on the new map is
-- itself; an old province or commune goes where vietnamadminunits' conversion sends it (its
-- default part when it was split: ref_unit_crosswalk); an old department follows its province,
-- to the department of the same title there (else the province itself). Districts were abolished:
-- their dossiers are already in their old province's counts, so they map to nothing here and to
-- their new province in dim_unit_crosswalk.
with units as (
    select * from {{ ref('int_units') }}
),

library as (
    select old_unit_code, new_unit_code
    from {{ ref('ref_unit_crosswalk') }}
    where is_default
),

new_map as (
    select unit_code from units
    where valid_to is null or valid_to >= cast('{{ var("map_reform_date") }}' as date)
),

old_units as (
    select * from units
    where valid_to < cast('{{ var("map_reform_date") }}' as date)
),

-- a department's title: its name without its province's label ("Sở Nội vụ tỉnh Vĩnh Phúc" -> "Sở Nội vụ")
titled as (
    select d.unit_code, d.unit_type, d.parent_code,
           trim(replace(d.unit_name, substr(p.unit_name, 6), '')) as title
    from units as d
    inner join units as p on p.unit_code = d.parent_code
    where d.unit_type = 'SO'
),

-- (a department with no namesake in the new province maps to nothing here: its dossiers are in
-- its old province's counts already, which go to the new province)
old_departments as (
    select o.unit_code,
           max(nd.unit_code) as new_unit_code
    from old_units as o
    inner join titled as t on t.unit_code = o.unit_code
    inner join library as pm on pm.old_unit_code = o.parent_code
    left join (select t2.* from titled as t2 inner join new_map as n on n.unit_code = t2.unit_code) as nd
        on nd.parent_code = pm.new_unit_code and nd.title = t.title
    where o.unit_type = 'SO'
    group by o.unit_code
)

select unit_code, unit_code as new_unit_code, 'same unit' as basis
from new_map

union all

select o.unit_code, l.new_unit_code, 'vietnamadminunits' as basis
from old_units as o
inner join library as l on l.old_unit_code = o.unit_code
where o.unit_type in ('TINH', 'XA')

union all

select unit_code, new_unit_code, 'department follows its province' as basis
from old_departments
where new_unit_code is not null
