-- Dossiers received per unit and month per the national reporting system; a re-delivered month
-- keeps its latest figure.
with latest as (
    {{ latest_rows(source('raw', 'bcqg_tiepnhan'), 'MaCoQuan, Thang', '_extract_date desc, _line desc') }}
)

select MaCoQuan as unit_code, Thang as report_month, SoHoSoTiepNhan as dossiers_received
from latest
