-- Dossiers received per unit and month per the national reporting system; a re-delivered month
-- keeps its latest figure.
with ranked as (
    select
        b.*,
        row_number() over (partition by MaCoQuan, Thang order by _extract_date desc, _line desc) as delivery_rank
    from {{ source('raw', 'bcqg_tiepnhan') }} as b
)

select MaCoQuan as unit_code, Thang as report_month, SoHoSoTiepNhan as dossiers_received
from ranked
where delivery_rank = 1
