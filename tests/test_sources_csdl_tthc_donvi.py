"""csdl_tthc_donvi: procedures assigned to units, checked against the unit directory and the
catalogue like every other source; bad records quarantined with source, line, field and reason."""
from __future__ import annotations

from test_sources_helpers import NIGHT, load_one_night, quarantine

ROW = {"MaCoQuan": "H44.07", "MaTTHC": "1.005129", "NgayApDung": "20240101", "NgayHetHieuLuc": None}


def test_assignments_load_and_bad_ones_are_quarantined(tmp_path):
    con, s = load_one_night(tmp_path, "csdl_tthc_donvi", [
        ROW,
        {**ROW, "MaCoQuan": "H44.100", "MaTTHC": "2.000001", "NgayHetHieuLuc": "20261231"},
        {**ROW, "MaCoQuan": "G99"},                                   # unknown unit
        {**ROW, "MaTTHC": "1.999999"},                                # unknown procedure
        {**ROW, "MaCoQuan": "H44", "NgayApDung": None},               # no start date
        {**ROW, "MaCoQuan": "H44", "NgayApDung": "20250101", "NgayHetHieuLuc": "20240101"},  # backwards
        ROW])                                                         # the same record twice
    assert (s.rows_loaded, s.rows_quarantined) == (2, 4)
    got = quarantine(con, "csdl_tthc_donvi")
    assert [(r[0], r[1]) for r in got] == [(3, "MaCoQuan"), (4, "MaTTHC"), (5, "NgayApDung"), (6, "NgayHetHieuLuc")]
    assert got[0][2] == f"unknown unit G99 (not in dvcqg_coquan of {NIGHT})"
    assert con.execute("select MaCoQuan, MaTTHC, NgayApDung::varchar, NgayHetHieuLuc::varchar from raw.csdl_tthc_donvi"
                       " order by 1").fetchall() == [("H44.07", "1.005129", "2024-01-01", None),
                                                     ("H44.100", "2.000001", "2024-01-01", "2026-12-31")]
