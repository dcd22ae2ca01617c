"""CSV sources: the two agency vendor layouts (mapping files) and bcqg_tiepnhan."""
from __future__ import annotations

import unicodedata

import pytest

from dagster_project.sources import discover_sources, load_all
from test_sources_helpers import KEY, NIGHT, connect, load_one_night, quarantine, write_night

BOM = "\ufeff"
VNPT_HEADER = "Mã hồ sơ;Mã thủ tục;Mã đơn vị;Kênh nộp;Trạng thái;Ngày tiếp nhận;Ngày hẹn trả;Ngày cập nhật"
VIETTEL_HEADER = "SoHoSo,MaThuTuc,MaDonViTiepNhan,HinhThucNop,TinhTrang,ThoiDiemTiepNhan,HanTraKetQua,ThoiDiemCapNhat"


def _load(tmp_path, source, lines):
    return load_one_night(tmp_path, source, lines, csv=True)


def test_vnpt_layout_with_bom_semicolons_day_first_dates_and_channel_names(tmp_path):
    con, s = _load(tmp_path, "agency_vnpt", [
        BOM + VNPT_HEADER,
        "H44.07-260315-00001;1.005129;H44.07;Trực tuyến;2;15/03/2026 08:30;18/03/2026 17:00;15/03/2026 08:31",
        'H44.07-260315-00002;1.005129;H44.07;"Trực tiếp";4;15/03/2026 09:00;;16/03/2026 10:00',
        "H44.07-260315-00003;1.005129;H44.07;2;11;15/03/2026 09:00;;16/03/2026 10:00",        # status 11
        "H44.07-260315-00004;1.005129;H44.07;2;2;2026-03-15 09:00;;16/03/2026 10:00",         # wrong date format
        "H44.07-260315-00005;1.005129;H99;2;2;15/03/2026 09:00;;16/03/2026 10:00",            # unknown unit
        "H44.07-260315-00006;1.005129;H44.07;2;2;15/03/2026 09:00",                            # short line
    ])
    assert (s.files_loaded, s.rows_loaded, s.rows_quarantined) == (1, 2, 4)
    assert [(r[0], r[1]) for r in quarantine(con, "agency_vnpt")] == [
        (3, "TrangThaiHoSo"), (4, "NgayTiepNhan"), (5, "MaCoQuan"), (6, None)]
    assert "NgayTiepNhan is not a date-time dd/MM/yyyy HH:mm: 2026-03-15 09:00" in quarantine(con, "agency_vnpt")[1][2]
    assert "expected 8 fields separated by ;, found 6" in quarantine(con, "agency_vnpt")[3][2]
    rows = con.execute("select HeThong, MaHoSo, KenhThucHien, TrangThaiHoSo, NgayTiepNhan::varchar, NgayHenTra::varchar,"
                       " _line from raw.agency_hoso order by _line").fetchall()
    assert rows == [("vnpt", "H44.07-260315-00001", 2, 2, "2026-03-15 08:30:00", "2026-03-18 17:00:00", 1),
                    ("vnpt", "H44.07-260315-00002", 1, 4, "2026-03-15 09:00:00", None, 2)]
    assert any(m.startswith(f"agency_vnpt agency_vnpt/{NIGHT}/part-00000.csv line 5 field MaCoQuan: unknown unit H99")
               for m in s.messages)


def test_viettel_layout_with_commas_quotes_and_columns_in_another_order(tmp_path):
    cols = VIETTEL_HEADER.split(",")
    order = [cols[i] for i in (1, 0, 2, 3, 4, 5, 6, 7)]
    con, s = _load(tmp_path, "agency_viettel", [
        BOM + ",".join(order),
        '1.005129,"H44.100-260315-00001",H44.100,3,10,2026-03-15 08:30:00,2026-03-18 17:00:00,2026-03-16 10:00:00',
        '1.005129,"H44.100-260315-00001",H44.100,3,10,2026-03-15 08:30:00,2026-03-18 17:00:00,2026-03-16 10:00:00',
        '1.005129,"H44.100-260315-00002",H44.100,3,10,15/03/2026 08:30,,2026-03-16 10:00:00',
    ])
    assert (s.rows_loaded, s.rows_duplicate, s.rows_quarantined) == (1, 1, 1)
    assert con.execute("select HeThong, MaHoSo, MaTTHC, KenhThucHien from raw.agency_hoso").fetchall() == [
        ("viettel", "H44.100-260315-00001", "1.005129", 3)]


@pytest.mark.parametrize("source, header, missing, renamed", [
    ("agency_vnpt", VNPT_HEADER.replace("Mã đơn vị", "Ma don vi"), "Mã đơn vị", "Ma don vi"),
    ("agency_viettel", VIETTEL_HEADER.replace("TinhTrang", "TrangThai"), "TinhTrang", "TrangThai"),
])
def test_a_renamed_header_rejects_the_file_naming_the_header(tmp_path, source, header, missing, renamed):
    con, s = _load(tmp_path, source, [BOM + header, "x"])
    assert (s.files_rejected, s.rows_loaded) == (1, 0)
    [(line_no, field, reason, raw)] = quarantine(con, source)
    assert line_no is None and field is not None
    assert f"missing ['{missing}']" in reason and f"unexpected header(s) ['{renamed}']" in reason
    assert f"agency_mappings/{source.removeprefix('agency_')}.json" in reason


def test_nfd_header_and_values_match_the_nfc_mapping(tmp_path):
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    con, s = _load(tmp_path, "agency_vnpt", [
        BOM + nfd(VNPT_HEADER),
        nfd("H44.07-260315-00001;1.005129;H44.07;Trực tuyến;2;15/03/2026 08:30;;15/03/2026 08:31")])
    assert (s.rows_loaded, s.rows_quarantined) == (1, 0)
    assert con.execute("select KenhThucHien from raw.agency_hoso").fetchone()[0] == 2


def test_an_agency_system_without_mapping_is_reported_not_loaded(tmp_path):
    landing = tmp_path / "landing"
    write_night(landing, "agency_fpt", NIGHT, ["a,b", "1,2"], csv=True)
    assert "agency_fpt" in discover_sources(landing)
    s = load_all(connect(tmp_path), landing, KEY)["agency_fpt"]
    assert s.files_loaded == 0 and "no mapping file" in s.messages[0]


def test_bcqg_monthly_counts(tmp_path):
    con, s = _load(tmp_path, "bcqg_tiepnhan", [
        "MaCoQuan;Thang;SoHoSoTiepNhan", "H44;2026-02;1520", "H44.07;2026-02;310",
        "H44.07;2026/02;5", "H44.100;2026-02;-1", "H44.100;2026-02;"])
    assert (s.rows_loaded, s.rows_quarantined) == (2, 3)
    assert [(r[0], r[1]) for r in quarantine(con, "bcqg_tiepnhan")] == [
        (3, "Thang"), (4, "SoHoSoTiepNhan"), (5, "SoHoSoTiepNhan")]
    assert con.execute("select Thang::varchar, sum(SoHoSoTiepNhan) from raw.bcqg_tiepnhan group by 1").fetchall() == [
        ("2026-02-01", 1830)]
