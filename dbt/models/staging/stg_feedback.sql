-- One row per feedback/petition (PAKN): its latest version (latest NgayCapNhat).
with latest as (
    {{ latest_rows(source('raw', 'dvcqg_pakn'), 'MaPAKN', 'NgayCapNhat desc, _extract_date desc, _line desc') }}
),

codes as (
    select field, source_value, code from {{ ref('ref_source_codes') }} where source = 'dvcqg_pakn'
)

select
    r.MaPAKN                          as feedback_code,
    r.MaCoQuan                        as unit_code,
    nullif(trim(r.MaHoSo), '')        as dossier_code,
    category.code                     as category,
    r.NgayTiepNhan                    as received_at,
    cast(r.NgayTiepNhan as date)      as received_date,
    r.NgayChuyen                      as transferred_at,
    r.NgayXuLy                        as handled_at,
    case when r.TrangThai is null then null else coalesce(status.code, 'unknown') end as status,
    coalesce(r.SoThich, 0)            as likes,
    coalesce(r.SoKhongThich, 0)       as dislikes,
    coalesce(r.PhanAnhLaiVeKetQua = 1, false) as is_re_raised,
    r.NgayCapNhat                     as updated_at
from latest as r
left join codes as category
    on category.field = 'PhanLoai' and category.source_value = lower(trim({{ nfc('r.PhanLoai') }}))
left join codes as status
    on status.field = 'TrangThai' and status.source_value = lower(trim({{ nfc('r.TrangThai') }}))
