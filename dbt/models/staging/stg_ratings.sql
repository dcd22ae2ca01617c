-- One rating per dossier: the latest one the citizen gave.
with latest as (
    {{ latest_rows(source('raw', 'dvcqg_danhgia'), 'MaHoSo', 'NgayDanhGia desc, _extract_date desc, _line desc') }}
)

select
    MaHoSo       as dossier_code,
    MucDo        as rating,
    NgayDanhGia  as rated_at
from latest
