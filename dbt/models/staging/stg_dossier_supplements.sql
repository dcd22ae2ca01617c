-- One row per supplement cycle (request → completed supplement) of a dossier's latest version.
with versions as (
    select
        MaHoSo,
        DanhSachHoSoBoSung,
        row_number() over (
            partition by MaHoSo order by NgayCapNhat desc, _extract_date desc, _line desc
        ) as version_rank
    from {{ source('raw', 'dvcqg_hoso') }}
    -- only dossiers that ever had a supplement cycle need ranking
    where MaHoSo in (
        select MaHoSo from {{ source('raw', 'dvcqg_hoso') }} where len(DanhSachHoSoBoSung) > 0
    )
),

cycles as (
    select MaHoSo, unnest(DanhSachHoSoBoSung) as cycle
    from versions
    where version_rank = 1 and len(DanhSachHoSoBoSung) > 0
)

select
    MaHoSo                  as dossier_code,
    cycle.NgayYeuCauBoSung  as requested_at,
    cycle.NgayBoSung        as supplied_at
from cycles
