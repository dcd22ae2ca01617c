-- One row per dossier: its latest version (latest NgayCapNhat), list columns reduced to flags.
-- List access goes through the portable macros (macros/portable.sql); it stays in staging on purpose.
--
-- Incremental on DuckDB (a night costs its own dossiers, not the whole history): a run re-ranks only
-- the dossiers the loads since the last build touched, i.e. those with a raw version loaded since
-- (a new night, a late night, a re-delivered file's new rows) and those whose kept version came
-- from a file loaded, superseded or retracted since (a correction); delete+insert replaces them.
-- A dossier whose kept version's file was superseded or retracted and holds it no more, and that
-- was not re-ranked (no version left at all), is removed by the post-hook.
-- `--full-refresh` rebuilds it from all history; tests/test_incremental.py checks both agree.
-- Loads and builds never overlap (one writer, ingest before dbt), so whatever was loaded after the
-- last build carries a later load time than any row that build kept: `>` the watermark.
-- Spark builds it as a table (dbt-spark has no delete+insert).
{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='delete+insert',
    unique_key='dossier_code',
    post_hook=["{% if is_incremental() %}delete from {{ this }} as t
                where t.source_file in (select file_name from {{ source('raw', 'load_log') }}
                                        where status in ('superseded', 'retracted'))
                  and not exists (select 1 from {{ source('raw', 'dvcqg_hoso') }} as r
                                  where r._file = t.source_file and r.MaHoSo = t.dossier_code){% endif %}"]
) }}
with
{% if is_incremental() %}
watermark as (select max(loaded_at) as loaded_at from {{ this }}),
touched as (
    select MaHoSo as dossier_code from {{ source('raw', 'dvcqg_hoso') }}
    where _loaded_at > (select loaded_at from watermark)
    union
    select dossier_code from {{ this }}
    where source_file in (select file_name from {{ source('raw', 'load_log') }}
                          where loaded_at > (select loaded_at from watermark))
),
{% endif %}
latest as (
    {{ latest_rows(source('raw', 'dvcqg_hoso'), 'MaHoSo', 'NgayCapNhat desc, _extract_date desc, _line desc',
                   where=("MaHoSo in (select dossier_code from touched)" if is_incremental() else none)) }}
)

select
    MaHoSo                                    as dossier_code,
    MaTTHC                                    as procedure_code,
    MaCoQuan                                  as unit_code,
    coalesce(KenhThucHien, 1)                 as channel,
    TrangThaiHoSo                             as status,
    NgayNopHoSo                               as submitted_at,
    NgayTiepNhan                              as received_at,
    cast(NgayTiepNhan as date)                as received_date,
    NgayHenTra                                as due_at,
    NgayKetThucXuLy                           as processing_ended_at,
    NgayTra                                   as returned_at,
    NgayTuChoi                                as refused_at,
    NgayCapNhat                               as updated_at,
    LoaiDoiTuong                              as applicant_type,
    coalesce(TaiKhoanDuocXacThucVoiVNeID = 1, false)                                   as is_vneid_verified,
    coalesce({{ list_any('DSKetNoiCSDL', 'x', "x.MaCSDL = 'CSDLDC'") }}, false)
                                                                                      as queried_population_db,
    coalesce(HoSoCoThanhPhanSoHoa = 1, false)
        or coalesce({{ list_any('TaiLieuNop', 'x', 'x.DuocSoHoa = 1') }}, false)
                                                                                      as has_digitised_component,
    coalesce({{ list_any('TaiLieuNop', 'x', 'x.DuocTaiSuDung = 1') }}, false)
                                                                                      as has_reused_component,
    coalesce({{ list_any('TaiLieuNop', 'x', 'x.DuocLayTuKhoDMQG = 1') }}, false)
                                                                                      as has_store_component,
    coalesce({{ list_any(
        'DanhSachGiayToKetQua', 'x', "coalesce(trim(x.DuongDanTepTinKetQua), '') <> ''") }}, false)
                                                                                      as has_e_result,
    coalesce(DuocThanhToanTrucTuyen in (1, 2), false)                                 as is_paid_online,
    coalesce({{ list_length('DanhSachLePhi') }}, 0)                                              as fee_line_count,
    coalesce({{ list_any('DanhSachLePhi', 'x', 'x.Gia > 0') }}, false) as has_nonzero_fee,
    coalesce({{ list_length('DanhSachHoSoBoSung') }}, 0)                                         as supplement_count,
    _extract_date                             as extract_date,
    _file                                     as source_file,
    _loaded_at                                as loaded_at,
    -- when this row was (re)built: what int_dossier_timeliness's increments are keyed on
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as staged_at
from latest
