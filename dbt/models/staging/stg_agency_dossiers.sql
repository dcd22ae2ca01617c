-- Dossiers received by the agencies' own one-stop-shop systems (synced to the portal or not):
-- one row per system and dossier, its latest version.
with latest as (
    {{ latest_rows(source('raw', 'agency_hoso'), 'HeThong, MaHoSo', 'NgayCapNhat desc nulls last, _extract_date desc, _line desc') }}
)

select
    HeThong                     as agency_system,
    MaHoSo                      as dossier_code,
    MaCoQuan                    as unit_code,
    MaTTHC                      as procedure_code,
    coalesce(KenhThucHien, 1)   as channel,
    TrangThaiHoSo               as status,
    cast(NgayTiepNhan as date)  as received_date
from latest
