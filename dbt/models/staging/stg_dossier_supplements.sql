-- One row per supplement cycle (request → completed supplement) of a dossier's latest version.
with latest as (
    -- only dossiers that ever had a supplement cycle need ranking
    {{ latest_rows(source('raw', 'dvcqg_hoso'), 'MaHoSo', 'NgayCapNhat desc, _extract_date desc, _line desc',
                   where="MaHoSo in (select MaHoSo from " ~ source('raw', 'dvcqg_hoso') ~ " where " ~ list_length("DanhSachHoSoBoSung") ~ " > 0)") }}
),

cycles as (
    select MaHoSo, {{ unnest_list('DanhSachHoSoBoSung') }} as cycle
    from latest
    where {{ list_length('DanhSachHoSoBoSung') }} > 0
)

select
    MaHoSo                  as dossier_code,
    cycle.NgayYeuCauBoSung  as requested_at,
    cycle.NgayBoSung        as supplied_at
from cycles
