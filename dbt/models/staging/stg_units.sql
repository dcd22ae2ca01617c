-- One row per unit code: its row in the latest snapshot that still lists it, so units dissolved
-- on 1 July 2025 (districts, merged provinces) keep their history and validity dates.
with latest as (
    {{ latest_rows(source('raw', 'dvcqg_coquan'), 'MaCoQuan', '_extract_date desc, _line desc') }}
)

select
    MaCoQuan                   as unit_code,
    {{ nfc('TenCoQuan') }}   as unit_name,
    upper(trim(LoaiCoQuan))    as unit_type,
    nullif(trim(MaCoQuanCha), '') as parent_code,
    MaDinhDanh                 as agency_id,
    HieuLucTu                  as valid_from,
    HieuLucDen                 as valid_to,
    _extract_date              as snapshot_date
from latest
