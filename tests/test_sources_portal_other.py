"""dvcqg_pakn, dvcqg_danhgia, dvcqg_dvctt: their code lists, dates and references."""
from __future__ import annotations

from test_sources_helpers import NIGHT, load_one_night, quarantine

PAKN = {"MaPAKN": "PA1", "MaCoQuan": "H44", "MaHoSo": None, "PhanLoai": "QUY_DINH", "NgayTiepNhan": "20260310080000",
        "NgayChuyen": None, "NgayXuLy": "20260312080000", "TrangThai": "Đã xử lý", "SoThich": 3, "SoKhongThich": 1,
        "PhanAnhLaiVeKetQua": 0, "NgayCapNhat": "20260312080000"}


def test_pakn(tmp_path):
    con, s = load_one_night(tmp_path, "dvcqg_pakn", [
        PAKN, {**PAKN, "TrangThai": "Đang xử lý", "NgayXuLy": None, "NgayCapNhat": "20260311080000"},
        {**PAKN, "MaPAKN": "PA2", "PhanLoai": "KHAC"},
        {**PAKN, "MaPAKN": "PA3", "NgayXuLy": "20260309080000"},
        {**PAKN, "MaPAKN": "PA4", "MaCoQuan": "G99"},
        {**PAKN, "MaPAKN": "PA5", "NgayTiepNhan": None}, PAKN])
    assert (s.rows_loaded, s.rows_quarantined, s.rows_duplicate) == (2, 4, 1)
    assert [(r[0], r[1]) for r in quarantine(con, "dvcqg_pakn")] == [
        (3, "PhanLoai"), (4, "NgayXuLy"), (5, "MaCoQuan"), (6, "NgayTiepNhan")]


def test_ratings(tmp_path):
    con, s = load_one_night(tmp_path, "dvcqg_danhgia", [
        {"MaHoSo": "H44.07-260315-00001", "MucDo": 5, "NgayDanhGia": "20260316120000"},
        {"MaHoSo": "H44.07-260315-00002", "MucDo": 0, "NgayDanhGia": "20260316120000"},
        {"MaHoSo": "H44.07-260315-00003", "MucDo": "rất tốt", "NgayDanhGia": "20260316120000"},
        {"MaHoSo": "H44.07-260315-00004", "MucDo": 2}])
    assert (s.rows_loaded, s.rows_quarantined) == (1, 3)
    assert [r[2] for r in quarantine(con, "dvcqg_danhgia")] == [
        "MucDo 0 is outside its code list (1..5)", "MucDo is not an integer: rất tốt",
        "required field NgayDanhGia is missing"]


def test_online_services(tmp_path):
    con, s = load_one_night(tmp_path, "dvcqg_dvctt", [
        {"MaDichVu": "DV1", "MaTTHC": "1.005129", "MaCoQuan": "H44.07", "MucDo": "toàn trình", "TrangThai": "1"},
        {"MaDichVu": "DV2", "MaTTHC": "1.999999", "MaCoQuan": "H44.07", "MucDo": "một phần", "TrangThai": "1"}])
    assert (s.rows_loaded, s.rows_quarantined) == (1, 1)
    assert quarantine(con, "dvcqg_dvctt")[0][1:3] == ("MaTTHC", f"unknown procedure 1.999999 (not in csdl_tthc of {NIGHT})")
