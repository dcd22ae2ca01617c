-- Dossiers received by the agencies' own one-stop-shop systems (synced to the portal or not):
-- one row per system and dossier, its latest version.
with ranked as (
    select
        a.*,
        row_number() over (
            partition by HeThong, MaHoSo order by NgayCapNhat desc nulls last, _extract_date desc, _line desc
        ) as version_rank
    from {{ source('raw', 'agency_hoso') }} as a
)

select
    HeThong                     as agency_system,
    MaHoSo                      as dossier_code,
    MaCoQuan                    as unit_code,
    MaTTHC                      as procedure_code,
    coalesce(KenhThucHien, 1)   as channel,
    TrangThaiHoSo               as status,
    cast(NgayTiepNhan as date)  as received_date
from ranked
where version_rank = 1
