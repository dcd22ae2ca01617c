"""Reproduces the Phú Thọ (H44) 2026 figures of rulebook §6 to the cent, through the real models.

The fixture is generated with SQL range(): every count below is built to equal the published
numerator/denominator, and the models must turn them into the published points (total 61.89).
Dossiers are received by a department (H44.07) so the province is scored over its subtree.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

from test_dbt_support import LINEAGE, create_raw, criterion, dbt_build, insert, query

DOSSIERS = 597_918
OVERDUE = DOSSIERS - 528_684          # TDGQ.1 numerator 528684
WITHDRAWN = 24                        # CLGQ.3 denominator 597894 leaves withdrawn dossiers out
UNSATISFIED = 220                     # MDHL.3 numerator 528464 = on time − rated unsatisfied
DIRECT = 8_398                        # channel 1; CLGQ.3 numerator 589496 = the rest minus withdrawn
PAID, FEE_DOSSIERS, ZERO_FEE = 309_542, 358_625, 1_000   # TTTT.3 309542 / 358625
POPULATION = 325_596                  # MDSH.5
FEE_PROCS, FEE_PROCS_WITH_FEE_DATA, FEE_PROCS_PAID = 313, 68, 119
CITIZEN_PROCS, OTHER_PROCS_USED = 1_300, 396 - 119  # MDSH.6 396 / 1300

# Dossier i falls in blocks: [0, PAID) paid online · [PAID, FEE_DOSSIERS) fee procedure, unpaid ·
# [FEE_DOSSIERS, +ZERO_FEE) every fee line 0 · the rest procedures without fee.
DOSSIER_SQL = f"""
insert into raw.dvcqg_hoso (MaHoSo, MaTTHC, MaCoQuan, KenhThucHien, TrangThaiHoSo, NgayNopHoSo, NgayTiepNhan,
    NgayHenTra, NgayKetThucXuLy, NgayTra, NgayCapNhat, TaiKhoanDuocXacThucVoiVNeID, HoSoCoThanhPhanSoHoa,
    DuocThanhToanTrucTuyen, DanhSachLePhi, TaiLieuNop, DanhSachGiayToKetQua, DanhSachHoSoBoSung,
    _file, _line, _extract_date, _loaded_at)
select
    'H44.07-' || i, 'N' || lpad(cast(proc as varchar), 4, '0'), 'H44.07',
    case when i < {DIRECT} then 1 else 2 end,
    case when i >= {OVERDUE} and i < {OVERDUE + WITHDRAWN} then 7 else 10 end,
    received, received, received + interval 10 day,
    received + case when i < {OVERDUE} then interval 12 day else interval 3 day end,
    received + case when i < {OVERDUE} then interval 12 day else interval 3 day end,
    received + interval 12 day,
    case when i >= {DOSSIERS - POPULATION} then 1 else 0 end,
    case when i < 145096 then 1 else 0 end,
    case when i < {PAID} then 1 else 0 end,
    case when i < {FEE_DOSSIERS} and i % {FEE_PROCS_PAID} < {FEE_PROCS_WITH_FEE_DATA}
              then [{{'MaPhiLePhi': 'LP', 'TenPhiLePhi': 'Lệ phí', 'Gia': 50000, 'HinhThucThu': 'TT'}}]
         when i >= {FEE_DOSSIERS} and i < {FEE_DOSSIERS + ZERO_FEE}
              then [{{'MaPhiLePhi': 'LP', 'TenPhiLePhi': 'Lệ phí', 'Gia': 0, 'HinhThucThu': 'TT'}}]
         else [] end,
    case when i < 136827 then [{{'MaThanhPhanHoSo': 'TP', 'DuocSoHoa': 1, 'DuocTaiSuDung': 1, 'DuocLayTuKhoDMQG': 0}}]
         else [] end,
    case when i < 433356 then [{{'MaGiayToKetQua': 'KQ', 'DuongDanTepTinKetQua': 'https://kq/' || i}}] else [] end,
    [],
    'fixture', i + 1, date '2026-09-26', timestamp '2026-09-26 01:00'
from (
    select
        i,
        timestamp '2026-01-05 08:00' + to_days(cast(i % 250 as integer)) as received,
        case when i < {FEE_DOSSIERS} then i % {FEE_PROCS_PAID}
             when i < {FEE_DOSSIERS + ZERO_FEE} then 0
             else {FEE_PROCS} + i % {OTHER_PROCS_USED} end as proc
    from range({DOSSIERS}) as r(i)
)
"""

# National procedures N0000..N1299 (announced by ministry G01, implemented by departments), all for
# citizens, the first 313 fee-bearing; 89 local procedures L00..L88 announced by the province.
CATALOGUE_SQL = f"""
insert into raw.csdl_tthc (MaTTHC, TenTTHC, CapThucHien, CoQuanCongBo, MucDoDVC, DuDieuKienToanTrinh,
    YeuCauKetQuaGiay, CoPhiLePhi, DoiTuongThucHien, ThoiHanGiaiQuyet, DonViThoiHan, DayDuBoPhanTaoThanh,
    NgayQuyetDinhCongBo, NgayHieuLucCanCu, NgayCongKhai, TrangThai, _file, _line, _extract_date, _loaded_at)
select 'N' || lpad(cast(i as varchar), 4, '0'), 'Thủ tục quốc gia ' || i, ['SO'], 'G01', 'toàn trình', 1, 0,
       case when i < {FEE_PROCS} then 1 else 0 end, ['Công dân Việt Nam'], 10, 'Ngày làm việc', 1,
       timestamp '2024-01-10', timestamp '2024-03-01', timestamp '2024-01-12', 'Công khai',
       'fixture', i + 1, date '2026-09-26', timestamp '2026-09-26 01:00'
from range({CITIZEN_PROCS}) as r(i)
union all
select 'L' || lpad(cast(i as varchar), 2, '0'), 'Thủ tục địa phương ' || i, ['TINH'], 'H44',
       case when i < 31 then 'Một phần' when i < 52 then 'Toàn trình' else 'none' end, 0, 0, 0, ['Doanh nghiệp'],
       10, 'Ngày làm việc', case when i < 87 then 1 else 0 end,
       -- announced late (the legal basis takes effect the next day); 70 published late, 19 not yet due
       case when i < 70 then timestamp '2026-03-02' else timestamp '2026-09-24' end,
       case when i < 70 then timestamp '2026-03-03' else timestamp '2026-09-25' end,
       case when i < 70 then timestamp '2026-04-01' end,
       'Công khai', 'fixture', 2000 + i, date '2026-09-26', timestamp '2026-09-26 01:00'
from range(89) as r(i)
"""

# csdl_tthc_donvi: the national procedures are assigned to the department that receives the dossiers,
# the local ones to the province itself; the province counts both (rulebook §5a).
ASSIGNMENTS_SQL = f"""
insert into raw.csdl_tthc_donvi (MaCoQuan, MaTTHC, NgayApDung, NgayHetHieuLuc, _file, _line, _extract_date, _loaded_at)
select case when MaTTHC like 'N%' then 'H44.07' else 'H44' end, MaTTHC, date '2024-01-10', null,
       'fixture', row_number() over (order by MaTTHC), date '2026-09-26', timestamp '2026-09-26 01:00'
from raw.csdl_tthc
"""

USED_PROCS = f"""(select distinct MaTTHC as p from raw.dvcqg_hoso)"""
SERVICES_SQL = f"""
insert into raw.dvcqg_dvctt (MaDichVu, MaTTHC, MaCoQuan, MucDo, TrangThai, _file, _line, _extract_date, _loaded_at)
select 'S' || k, p, 'H44.07', 'toàn trình', 'Công khai', 'fixture', k + 1, date '2026-09-26', timestamp '2026-09-26 01:00'
from (
    -- 516 services of procedures with online dossiers, 1368 of procedures without any dossier
    select row_number() over () - 1 as k, p from (
        select p from (select p, row_number() over (order by p) as n from {USED_PROCS}) cross join range(2) as r(j)
        where j = 0 or n <= 516 - 396
        union all
        select 'N' || lpad(cast(600 + i % 700 as varchar), 4, '0') from range(1368) as r(i)
    )
)
"""

# 570 PAKN: 296 handled within 15 working days (66 of them rated unsatisfied), 274 handled late
PAKN_SQL = """
insert into raw.dvcqg_pakn (MaPAKN, MaCoQuan, MaHoSo, PhanLoai, NgayTiepNhan, NgayChuyen, NgayXuLy, TrangThai,
    SoThich, SoKhongThich, PhanAnhLaiVeKetQua, NgayCapNhat, _file, _line, _extract_date, _loaded_at)
select 'PA' || i, 'H44.07', null, case when i % 2 = 0 then 'QUY_DINH' else 'HANH_VI' end,
       timestamp '2026-03-02 08:00', null,
       case when i < 296 then timestamp '2026-03-05 08:00' else timestamp '2026-05-04 08:00' end,
       'Đã xử lý', case when i < 230 then 3 else 0 end, case when i >= 230 and i < 296 then 2 else 0 end, 0,
       timestamp '2026-05-04 09:00', 'fixture', i + 1, date '2026-09-26', timestamp '2026-09-26 01:00'
from range(570) as r(i)
"""

RATINGS_SQL = f"""
insert into raw.dvcqg_danhgia (MaHoSo, MucDo, NgayDanhGia, _file, _line, _extract_date, _loaded_at)
select 'H44.07-' || i, 1, timestamp '2026-08-01', 'fixture', i, date '2026-09-26', timestamp '2026-09-26 01:00'
from range({OVERDUE + WITHDRAWN}, {OVERDUE + WITHDRAWN + UNSATISFIED}) as r(i)
"""

UNITS = [
    {"MaCoQuan": "H44", "TenCoQuan": "Tỉnh Phú Thọ", "LoaiCoQuan": "TINH", "MaCoQuanCha": None},
    {"MaCoQuan": "H44.07", "TenCoQuan": "Sở Tư pháp", "LoaiCoQuan": "SO", "MaCoQuanCha": "H44"},
    {"MaCoQuan": "H44.100", "TenCoQuan": "Xã Hy Cương", "LoaiCoQuan": "XA", "MaCoQuanCha": "H44"},
    {"MaCoQuan": "G01", "TenCoQuan": "Bộ Tư pháp", "LoaiCoQuan": "BO", "MaCoQuanCha": None},
]

PUBLISHED = {  # rulebook §6: criterion → (numerator, denominator, points shown by the portal)
    "CKMB.1": (0, 89, 0), "CKMB.2": (0, 70, 0), "CKMB.3": (87, 89, 1.96),
    "TDGQ.1": (528684, 597918, 17.68),
    "CLGQ.1": (52, 89, None), "CLGQ.2": (516, 1884, None), "CLGQ.3": (589496, 597894, None),
    "TTTT.1": (68, 313, None), "TTTT.2": (119, 313, None), "TTTT.3": (309542, 358625, None),
    "MDSH.1": (433356, 597918, 4.35), "MDSH.2": (145096, 597918, 0.97), "MDSH.3": (136827, 597918, 0.57),
    "MDSH.4": (0, 597918, 0), "MDSH.5": (325596, 597918, 1.09), "MDSH.6": (396, 1300, 0.61),
    "MDHL.1": (296, 570, 3.12), "MDHL.2": (230, 570, 2.42), "MDHL.3": (528464, 597918, 5.89),
}
GROUPS = {"ckmb": 7.96, "tdgq": 17.68, "clgq": 8.56, "tttt": 6.67, "mdsh": 9.59, "mdhl": 11.43}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    home = tmp_path_factory.mktemp("dbt_phutho_home")
    path = home / "warehouse" / "svcindex.duckdb"
    con = create_raw(path)
    insert(con, "dvcqg_coquan", UNITS)
    for sql in (DOSSIER_SQL, CATALOGUE_SQL, ASSIGNMENTS_SQL, SERVICES_SQL, PAKN_SQL, RATINGS_SQL):
        con.execute(sql)
    con.close()
    dbt_build(home, "--vars", "{as_of_date: '2026-09-26'}")
    return path


@pytest.mark.parametrize("code", sorted(PUBLISHED))
def test_criterion_counts_and_points(warehouse, code):
    num, den, published_points = PUBLISHED[code]
    got_num, got_den, points, _, _ = criterion(warehouse, "H44", "2026", code)
    assert (got_num, got_den) == (num, den)
    if published_points is not None:
        assert round(points, 2) == published_points


def test_ckmb4_full_sync_and_mdsh7_full_when_no_data(warehouse):
    # The portal's CKMB.4 counts 475053/475053 over a window the extract contract does not carry;
    # here every portal dossier counts: the ratio (1) and the points (6) are what must match.
    num, den, points, _, _ = criterion(warehouse, "H44", "2026", "CKMB.4")
    assert num == den == DOSSIERS and points == 6
    assert criterion(warehouse, "H44", "2026", "MDSH.7")[2:] == (2, 2, "empty_full")


def test_groups_and_total_to_the_cent(warehouse):
    cols = ", ".join(GROUPS)
    (row,) = query(warehouse, f"select {cols}, total, band from marts.fct_unit_scores"
                              " where unit_code = 'H44' and period = '2026'")
    assert dict(zip(GROUPS, row[:6])) == GROUPS
    assert row[6] == 61.89 and row[7] == "Trung bình"
    (ccdvtt,) = query(warehouse, "select points from marts.fct_group_scores"
                                 " where unit_code = 'H44' and period = '2026' and group_code = 'CCDVTT'")
    assert ccdvtt[0] == pytest.approx(8.56 + 6.67)


def test_year_to_date_equals_year_before_year_end(warehouse):
    (row,) = query(warehouse, "select total from marts.fct_unit_scores where unit_code = 'H44' and period = '2026-YTD'")
    assert row[0] == 61.89
