-- One rating per dossier: the latest one the citizen gave.
with ranked as (
    select
        r.*,
        row_number() over (partition by MaHoSo order by NgayDanhGia desc, _extract_date desc, _line desc) as rating_rank
    from {{ source('raw', 'dvcqg_danhgia') }} as r
)

select
    MaHoSo       as dossier_code,
    MucDo        as rating,
    NgayDanhGia  as rated_at
from ranked
where rating_rank = 1
