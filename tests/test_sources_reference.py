"""dvcqg_coquan and csdl_tthc: the reference snapshots the other sources are checked against."""
from __future__ import annotations

import unicodedata

from dagster_project.sources import load_all, load_source
from test_sources_helpers import KEY, NIGHT, connect, procedures, quarantine, units, write_night


def test_unit_snapshot_loads_each_night_and_checks_its_codes(tmp_path):
    landing = tmp_path / "landing"
    bad = [{**units()[0], "MaCoQuan": "H45", "LoaiCoQuan": "THANH_PHO"},
           {**units()[0], "MaCoQuan": "H46", "TenCoQuan": None},
           {**units()[0], "MaCoQuan": "H47", "HieuLucTu": "31/12/2020"},
           units()[1]]                                   # same unit twice in one snapshot
    write_night(landing, "dvcqg_coquan", NIGHT, units() + bad)
    write_night(landing, "dvcqg_coquan", "2026-03-16", units())   # identical content, next night
    con = connect(tmp_path)
    s = load_source(con, landing, "dvcqg_coquan", KEY)
    assert (s.files_loaded, s.rows_loaded, s.rows_quarantined, s.rows_duplicate) == (2, 6, 3, 1)
    assert [(r[0], r[1], r[2]) for r in quarantine(con, "dvcqg_coquan")] == [
        (4, "LoaiCoQuan", "LoaiCoQuan THANH_PHO is outside its code list (BO, TINH, SO, HUYEN, XA, DON_VI)"),
        (5, "TenCoQuan", "required field TenCoQuan is missing"),
        (6, "HieuLucTu", "HieuLucTu is not a date (yyyyMMdd): 31/12/2020"),
    ]
    by_night = con.execute("select _extract_date::varchar, count(*) from raw.dvcqg_coquan group by all order by 1").fetchall()
    assert by_night == [(NIGHT, 3), ("2026-03-16", 3)]
    assert con.execute("select list(HieuLucTu::varchar order by MaCoQuan) from raw.dvcqg_coquan "
                       "where _extract_date = ?", [NIGHT]).fetchone()[0] == ["2020-01-01", "2020-01-01", None]


def test_procedure_catalogue_normalises_text_and_checks_flags(tmp_path):
    landing = tmp_path / "landing"
    nfd = {**procedures()[0], "MaTTHC": "1.000001", "TenTTHC": unicodedata.normalize("NFD", "Cấp phiếu lý lịch tư pháp"),
           "CapThucHien": [unicodedata.normalize("NFD", "TỈNH")]}
    write_night(landing, "csdl_tthc", NIGHT, procedures() + [
        nfd, {**procedures()[0], "MaTTHC": "1.000002", "CoPhiLePhi": 2},
        {**procedures()[0], "MaTTHC": "1.000003", "NgayCongKhai": "20241301000000"}])
    con = connect(tmp_path)
    s = load_all(con, landing, KEY)["csdl_tthc"]
    assert (s.rows_loaded, s.rows_quarantined) == (3, 2)
    assert [(r[0], r[1]) for r in quarantine(con, "csdl_tthc")] == [(4, "CoPhiLePhi"), (5, "NgayCongKhai")]
    name, levels, limit = con.execute(
        "select TenTTHC, CapThucHien, ThoiHanGiaiQuyet from raw.csdl_tthc where MaTTHC = '1.000001'").fetchone()
    assert name == unicodedata.normalize("NFC", "Cấp phiếu lý lịch tư pháp") and levels == ["TỈNH"] and limit == 3.0
