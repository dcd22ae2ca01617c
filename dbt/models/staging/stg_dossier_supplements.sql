-- One row per supplement cycle (request → completed supplement) of a dossier's latest version:
-- the dossiers whose kept version in stg_dossiers has a supplement (supplement_count), their
-- versions ranked as stg_dossiers ranks them.
--
-- Incremental on DuckDB, keyed by dossier: a run unnests again only the dossiers stg_dossiers
-- re-staged since this model's last build (staged_at); the post-hook drops the dossiers whose kept
-- version no longer has a supplement, or that are gone (an anti-join between the few dossiers with
-- supplements, not history). Before, every night ranked every version of every dossier that ever
-- had a supplement: 5.0 s of the incremental build of a national year's night.
{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='delete+insert',
    unique_key='dossier_code',
    post_hook=["{% if is_incremental() %}delete from {{ this }} where dossier_code not in
                (select dossier_code from {{ ref('stg_dossiers') }} where supplement_count > 0){% endif %}"]
) }}
with dossiers as (
    select dossier_code, staged_at
    from {{ ref('stg_dossiers') }}
    where supplement_count > 0
    {% if is_incremental() %}
      and staged_at > (select coalesce(max(staged_at), cast('1900-01-01' as timestamp)) from {{ this }})
    {% endif %}
),

latest as (
    {{ latest_rows(source('raw', 'dvcqg_hoso'), 'MaHoSo', 'NgayCapNhat desc, _extract_date desc, _line desc',
                   where="MaHoSo in (select dossier_code from dossiers)") }}
),

cycles as (
    select l.MaHoSo, d.staged_at, {{ unnest_list('l.DanhSachHoSoBoSung') }} as cycle
    from latest as l
    inner join dossiers as d on d.dossier_code = l.MaHoSo
    where {{ list_length('l.DanhSachHoSoBoSung') }} > 0
)

select
    MaHoSo                  as dossier_code,
    cycle.NgayYeuCauBoSung  as requested_at,
    cycle.NgayBoSung        as supplied_at,
    staged_at               -- the stg_dossiers build of the version unnested: the incremental watermark
from cycles
