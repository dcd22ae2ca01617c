-- One row per procedure: its row in the latest catalogue snapshot that lists it.
-- Vietnamese code values are mapped through the ref_source_codes seed (NFC, lower-case).
with latest as (
    {{ latest_rows(source('raw', 'csdl_tthc'), 'MaTTHC', '_extract_date desc, _line desc') }}
),

codes as (
    select field, source_value, code
    from {{ ref('ref_source_codes') }}
    where source = 'csdl_tthc'
)

select
    r.MaTTHC                                   as procedure_code,
    {{ nfc('r.TenTTHC') }}                   as procedure_name,
    {{ list_sorted_join(list_transform('r.CapThucHien', 'x', 'upper(trim(x))'), "','") }} as levels,
    r.CoQuanCongBo                             as announcing_unit_code,
    case when r.MucDoDVC is null then 'none' else coalesce(online.code, 'unknown') end as online_level,
    coalesce(r.DuDieuKienToanTrinh = 1, false) as full_online_eligible,
    coalesce(r.YeuCauKetQuaGiay = 1, false)    as requires_paper_result,
    coalesce(r.CoPhiLePhi = 1, false)          as has_fee,
    coalesce({{ list_has_any(
        list_transform('r.DoiTuongThucHien', 'x', 'lower(trim(' ~ nfc('x') ~ '))'),
        "(select " ~ list_agg('source_value') ~ " from codes where field = 'DoiTuongThucHien' and code = 'citizen')"
    ) }}, false)                                  as serves_citizens,
    r.ThoiHanGiaiQuyet                         as time_limit,
    time_unit.code                             as time_unit,
    coalesce(r.DayDuBoPhanTaoThanh = 1, false) as has_all_parts,
    r.NgayQuyetDinhCongBo                      as decision_at,
    r.NgayHieuLucCanCu                         as legal_basis_effective_at,
    r.NgayCongKhai                             as published_at,
    case when r.TrangThai is null then 'public' else coalesce(status.code, 'unknown') end as catalogue_status,
    r._extract_date                            as snapshot_date
from latest as r
left join codes as online
    on online.field = 'MucDoDVC' and online.source_value = lower(trim({{ nfc('r.MucDoDVC') }}))
left join codes as time_unit
    on time_unit.field = 'DonViThoiHan' and time_unit.source_value = lower(trim({{ nfc('r.DonViThoiHan') }}))
left join codes as status
    on status.field = 'TrangThai' and status.source_value = lower(trim({{ nfc('r.TrangThai') }}))
