-- Online services per unit from the latest directory snapshot.
with latest as (
    select max(_extract_date) as snapshot_date from {{ source('raw', 'dvcqg_dvctt') }}
),

codes as (
    select field, source_value, code from {{ ref('ref_source_codes') }} where source = 'dvcqg_dvctt'
)

select distinct
    s.MaDichVu  as service_code,
    s.MaTTHC    as procedure_code,
    s.MaCoQuan  as unit_code,
    level.code  as online_level,
    case when s.TrangThai is null then 'public' else coalesce(status.code, 'unknown') end as service_status
from {{ source('raw', 'dvcqg_dvctt') }} as s
inner join latest on s._extract_date = latest.snapshot_date
left join codes as level on level.field = 'MucDo' and level.source_value = lower(trim({{ nfc('s.MucDo') }}))
left join codes as status on status.field = 'TrangThai' and status.source_value = lower(trim({{ nfc('s.TrangThai') }}))
