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


def test_windows_line_ends_load_like_unix_ones(tmp_path):
    """The loader trims \\r\\n before parsing (lines_table): a file written with CRLF loads the same
    rows with the same values, the last line's missing line end included."""
    import json

    from dagster_project.sources._landing import lines_table

    assert lines_table(b"a\r\nb\n\nc\r\r\nd").to_pydict() == {"line_no": [1, 2, 3, 4, 5],
                                                             "line": ["a", "b", "", "c", "d"]}
    records = [PAKN, {**PAKN, "MaPAKN": "PA2", "TrangThai": "Đang xử lý"}]
    text = "\r\n".join(json.dumps(r, ensure_ascii=False) for r in records)   # no line end after the last
    crlf, s = load_one_night(tmp_path / "crlf", "dvcqg_pakn", text, rows=2)
    lf, _ = load_one_night(tmp_path / "lf", "dvcqg_pakn", records)
    assert (s.rows_loaded, s.rows_quarantined) == (2, 0)
    query = "select * exclude (_loaded_at, _file) from raw.dvcqg_pakn order by all"
    assert crlf.execute(query).fetchall() == lf.execute(query).fetchall()
