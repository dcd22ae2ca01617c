-- One row per dossier: its latest version (latest NgayCapNhat), list columns reduced to flags.
-- List access goes through the portable macros (macros/portable.sql); it stays in staging on purpose.
with latest as (
    {{ latest_rows(source('raw', 'dvcqg_hoso'), 'MaHoSo', 'NgayCapNhat desc, _extract_date desc, _line desc') }}
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
    _extract_date                             as extract_date
from latest
