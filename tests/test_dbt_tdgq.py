"""TDGQ.1 (on-time dossiers) and MDSH.1 through the real dbt project, on dossiers written by hand.

Calendar facts used below (2026): 31 Aug – 2 Sep are public holidays (National Day with its
substitute day), weekends are off. Procedure P1 allows 5 working days.
"""
from __future__ import annotations

import shutil
from datetime import date, datetime

import pytest

from test_dbt_support import create_raw, criterion, dbt_build, insert, query

T = datetime.fromisoformat


def dossier(code, unit, received, status, *, due=None, ended=None, returned=None, updated=None,
            supplements=None, results=None, procedure="P1"):
    return {
        "MaHoSo": code, "MaTTHC": procedure, "MaCoQuan": unit, "KenhThucHien": 2, "TrangThaiHoSo": status,
        "NgayNopHoSo": T(received) if received else None, "NgayTiepNhan": T(received) if received else None,
        "NgayHenTra": T(due) if due else None, "NgayKetThucXuLy": T(ended) if ended else None,
        "NgayTra": T(returned) if returned else None,
        "NgayCapNhat": T(updated or ended or returned or received or "2026-10-01"),
        "DanhSachHoSoBoSung": [{"NgayYeuCauBoSung": T(a), "NgayBoSung": T(b) if b else None}
                               for a, b in (supplements or [])],
        "DanhSachGiayToKetQua": [{"MaGiayToKetQua": "KQ", "DuongDanTepTinKetQua": r} for r in (results or [])],
    }


DOSSIERS = [
    # H44.07 (department of province H44), September 2026
    dossier("D1", "H44.07", "2026-09-03 08:00", 10, due="2026-09-10 17:00", ended="2026-09-09 10:00",
            results=["https://kq/D1.pdf"]),                                   # on time
    dossier("D2", "H44.07", "2026-09-03 08:00", 9, due="2026-09-10 17:00", ended="2026-09-11 10:00",
            results=[""]),                                                    # late; empty link is no e-result
    dossier("D3", "H44.07", "2026-09-25 09:00", 4),                           # open; due 2 Oct: on time at 30 Sep, overdue at 15 Oct
    dossier("D5", "H44.07", "2026-09-07 08:00", 9, ended="2026-09-08 10:00",
            supplements=[("2026-09-07 09:00", "2026-09-07 15:00"), ("2026-09-07 16:00", "2026-09-08 08:00")]),  # 2 supplements: overdue
    dossier("D6", "H44.07", "2026-09-07 08:00", 9, ended="2026-09-16 10:00",
            supplements=[("2026-09-09 09:00", "2026-09-14 09:00")]),          # due 14 Sep + 3 paused days = 17 Sep: on time
    dossier("D7", "H44.07", "2026-09-21 08:00", 5, updated="2026-09-22 09:00",
            supplements=[("2026-09-22 09:00", None)]),                        # single pending request stops the clock: on time
    dossier("D9", "H44.07", "2026-09-14 08:00", 10, due="2026-09-18 17:00", returned="2026-09-18 16:00",
            results=["https://kq/D9.pdf"]),                                   # returned before due: on time
    dossier("D10", "H44.07", "2026-09-14 08:00", 4, due="2026-09-17 17:00", updated="2026-09-15 08:00"),
    dossier("D10", "H44.07", "2026-09-14 08:00", 9, due="2026-09-17 17:00", ended="2026-09-16 08:00"),  # latest version: on time
    # H44.100 (commune of H44): open and past due at the end of September
    dossier("D8", "H44.100", "2026-09-10 08:00", 4, due="2026-09-15 17:00"),
    # August: received the Friday before the holidays, finished after 4 working days (7 by a weekend-only calendar)
    dossier("D4", "H44.07", "2026-08-28 10:00", 9, ended="2026-09-08 10:00"),
    # October (open period as of 15 Oct): open, not yet due
    dossier("D13", "H44.07", "2026-10-05 08:00", 4, due="2026-10-20 17:00"),
    # out of scope: received after the as-of date; never received
    dossier("D11", "H44.07", "2026-10-16 08:00", 4),
    dossier("D12", "H44.07", None, 1),
    # a district, abolished on 1 July 2025, still scored for its own periods
    dossier("H1", "H44.H01", "2025-06-10 08:00", 10, due="2025-06-20 17:00", ended="2025-06-15 08:00"),
    # another block: a ministry
    dossier("G1", "G01", "2026-09-10 08:00", 10, due="2026-09-20 17:00", ended="2026-09-11 08:00"),
]

UNITS = [
    {"MaCoQuan": "H44", "TenCoQuan": "Tỉnh Phú Thọ", "LoaiCoQuan": "TINH", "MaCoQuanCha": None},
    {"MaCoQuan": "H44.07", "TenCoQuan": "Sở Tư pháp", "LoaiCoQuan": "SO", "MaCoQuanCha": "H44"},
    {"MaCoQuan": "H44.100", "TenCoQuan": "Xã Hy Cương", "LoaiCoQuan": "XA", "MaCoQuanCha": "H44"},
    {"MaCoQuan": "H44.H01", "TenCoQuan": "Huyện Lâm Thao", "LoaiCoQuan": "HUYEN", "MaCoQuanCha": "H44",
     "HieuLucDen": date(2025, 6, 30)},
    {"MaCoQuan": "G01", "TenCoQuan": "Bộ Tư pháp", "LoaiCoQuan": "BO", "MaCoQuanCha": None},
]

PROCEDURES = [{"MaTTHC": "P1", "TenTTHC": "Thủ tục mẫu", "CapThucHien": ["SO", "XA"], "CoQuanCongBo": "H44",
               "MucDoDVC": "toàn trình", "YeuCauKetQuaGiay": 1, "CoPhiLePhi": 0,
               "ThoiHanGiaiQuyet": 5.0, "DonViThoiHan": "Ngày làm việc", "TrangThai": "Công khai"}]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    home = tmp_path_factory.mktemp("dbt_tdgq_home")
    path = home / "warehouse" / "svcindex.duckdb"
    con = create_raw(path)
    insert(con, "dvcqg_coquan", UNITS)
    insert(con, "csdl_tthc", PROCEDURES)
    insert(con, "dvcqg_hoso", DOSSIERS)
    insert(con, "load_log", [{"source": "dvcqg_hoso", "extract_date": date(2026, 10, 15), "file_name": "f",
                              "file_sha256": "x", "status": "loaded", "loaded_at": T("2026-10-16 01:00")}])
    con.close()
    dbt_build(home)  # as_of_date defaults to the latest loaded night: 2026-10-15
    return path


@pytest.mark.parametrize("unit, period, num, den", [
    ("H44.07", "2026-09", 6, 8),   # D1 D3 D6 D7 D9 D10 on time; D2 D5 late
    ("H44.100", "2026-09", 0, 1),
    ("H44", "2026-09", 6, 9),      # a province counts its departments' and communes' dossiers
    ("H44", "2026-08", 1, 1),      # D4: holidays are not working days
    ("H44", "2026-Q3", 7, 10),
    ("H44", "2026-10", 1, 1),      # D13 open, not yet due; D11 received after the as-of date
    ("H44", "2026", 7, 11),        # judged at 15 Oct: D3 is now overdue, D13 still on time
    ("H44", "2026-YTD", 7, 11),
    ("G01", "2026-09", 1, 1),
    ("H44.H01", "2025-06", 1, 1),  # districts are scored for periods before 1 July 2025
    ("H44", "2025-06", 1, 1),
])
def test_tdgq1_counts_and_points(warehouse, unit, period, num, den):
    got_num, got_den, points, max_points, policy = criterion(warehouse, unit, period, "TDGQ.1")
    assert (got_num, got_den) == (num, den)
    assert points == pytest.approx(20 * num / den)
    assert max_points == 20 and policy is None


def test_mdsh1_counts_result_links(warehouse):
    num, den, points, _, _ = criterion(warehouse, "H44", "2026-09", "MDSH.1")
    assert (num, den) == (2, 9)
    assert points == pytest.approx(6 * 2 / 9)


def test_dossier_criteria_explain_the_ratio(warehouse):
    rows = query(warehouse, """
        select f.dossier_code, f.tdgq_1_num, f.timeliness_verdict, f.timeliness_reason
        from marts.fct_dossier_criteria f
        join marts.dim_unit_ancestors a on a.unit_code = f.unit_code
        where a.ancestor_code = 'H44' and f.received_month = date '2026-09-01' and f.tdgq_1_den
        order by 1""")
    assert [r[0] for r in rows if r[1]] == ["D1", "D10", "D3", "D6", "D7", "D9"]
    by_code = {r[0]: r[2:] for r in rows}
    assert by_code["D3"] == ("overdue", "open")
    assert by_code["D5"] == ("overdue", "overdue_multiple_supplements")
    assert by_code["D7"] == ("on_time", "supplement_pending_on_time")


def test_unit_scores_shape(warehouse):
    rows = query(warehouse, """
        select unit_code, tdgq, total, band, rank_in_block, block
        from marts.fct_unit_scores where period = '2026-09' order by unit_code""")
    units = {r[0]: r[1:] for r in rows}
    assert set(units) == {"G01", "H44", "H44.07", "H44.100"}
    assert units["H44"][0] == round(20 * 6 / 9, 2)
    assert units["G01"][3] == 1 and units["G01"][4] == "BO"


def test_empty_pakn_criteria_get_full_points_under_portal_rules(warehouse):
    assert criterion(warehouse, "H44", "2026-09", "MDHL.1")[2:] == (6, 6, "empty_full")
    assert criterion(warehouse, "H44", "2026-09", "MDHL.3")[3] == 6


@pytest.fixture(scope="module")
def vpcp_warehouse(warehouse, tmp_path_factory):
    """The same raw data scored with the VPCP rule version: a --vars switch, no code change."""
    home = tmp_path_factory.mktemp("dbt_vpcp_home")
    (home / "warehouse").mkdir()
    path = home / "warehouse" / "svcindex.duckdb"
    shutil.copy(warehouse, path)
    dbt_build(home, "--vars", "{rule_version: VPCP}")
    return path


def test_vpcp_redistributes_pakn_points_inside_the_group(vpcp_warehouse):
    assert criterion(vpcp_warehouse, "H44", "2026-09", "MDHL.1")[2:] == (0, 0, "redistributed")
    num, den, points, max_points, _ = criterion(vpcp_warehouse, "H44", "2026-09", "MDHL.3")
    assert max_points == 18 and points == pytest.approx(18 * min(1, num / den / 0.9))
    (version,) = query(vpcp_warehouse, "select distinct rule_version from marts.fct_unit_scores")
    assert version == ("VPCP",)


def test_abolished_district_is_not_scored_after_it_ends(warehouse):
    periods = {r[0] for r in query(warehouse, "select period from marts.fct_unit_scores where unit_code = 'H44.H01'")}
    assert "2025-06" in periods and not any(p.startswith("2026") for p in periods)
