-- Dossiers received by the agencies' own one-stop-shop systems (synced to the portal or not):
-- one row per system and dossier, its latest version.
--
-- Incremental on DuckDB, as stg_dossiers and for the same reasons (a national month is 5 M agency
-- dossiers; a night touches a few hundred thousand): a run re-ranks only the (system, dossier)
-- pairs with a raw version loaded since the last build, or whose kept version's file was loaded,
-- superseded or retracted since; the post-hook drops a kept row whose file is gone and that no
-- version replaced. `--full-refresh` rebuilds it from all history (tests/test_incremental.py).
{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='delete+insert',
    unique_key=['agency_system', 'dossier_code'],
    post_hook=["{% if is_incremental() %}delete from {{ this }} as t
                where t.source_file in (select file_name from {{ source('raw', 'load_log') }}
                                        where status in ('superseded', 'retracted'))
                  and not exists (select 1 from {{ source('raw', 'agency_hoso') }} as r
                                  where r._file = t.source_file and r.HeThong = t.agency_system
                                    and r.MaHoSo = t.dossier_code){% endif %}"]
) }}
with
{% if is_incremental() %}
watermark as (select max(loaded_at) as loaded_at from {{ this }}),
touched as (
    select HeThong as agency_system, MaHoSo as dossier_code from {{ source('raw', 'agency_hoso') }}
    where _loaded_at > (select loaded_at from watermark)
    union
    select agency_system, dossier_code from {{ this }}
    where source_file in (select file_name from {{ source('raw', 'load_log') }}
                          where loaded_at > (select loaded_at from watermark))
),
{% endif %}
latest as (
    {{ latest_rows(source('raw', 'agency_hoso'), 'HeThong, MaHoSo', 'NgayCapNhat desc nulls last, _extract_date desc, _line desc',
                   where=("exists (select 1 from touched where touched.agency_system = t.HeThong"
                          " and touched.dossier_code = t.MaHoSo)" if is_incremental() else none)) }}
)

select
    HeThong                     as agency_system,
    MaHoSo                      as dossier_code,
    MaCoQuan                    as unit_code,
    MaTTHC                      as procedure_code,
    coalesce(KenhThucHien, 1)   as channel,
    TrangThaiHoSo               as status,
    cast(NgayTiepNhan as date)  as received_date,
    _file                       as source_file,
    _loaded_at                  as loaded_at
from latest
