"""dvcqg_hoso: every defect class of the contract, each with its message and quarantine row."""
from __future__ import annotations

import gzip
import json
import unicodedata

import pytest

from dagster_project.sources import load_all, load_source
from test_sources_helpers import (CITIZEN_ID, KEY, NIGHT, PHONE, connect, dossier, load_one_night, quarantine,
                                  reference_night, units, write_night)

FILE = f"dvcqg_hoso/{NIGHT}/part-00000.jsonl.gz"


def _load(tmp_path, records, **kw):
    return load_one_night(tmp_path, "dvcqg_hoso", records, **kw)


# (record or raw line, field, reason fragment): line 1 of every file is a good dossier.
DEFECTS = {
    "non_json": ('{"MaHoSo": "H44.07-260315-00002", "MaTTHC": ', None, "not valid JSON"),
    "missing_required": (dossier(2, MaTTHC=None), "MaTTHC", "required field MaTTHC is missing"),
    "unknown_unit": (dossier(2, MaCoQuan="H99.01"), "MaCoQuan", "unknown unit H99.01"),
    "unknown_procedure": (dossier(2, MaTTHC="9.999999"), "MaTTHC", "unknown procedure 9.999999"),
    "status_out_of_list": (dossier(2, TrangThaiHoSo=11), "TrangThaiHoSo", "TrangThaiHoSo 11 is outside its code list (1..10)"),
    "channel_out_of_list": (dossier(2, KenhThucHien=4), "KenhThucHien", "KenhThucHien 4 is outside its code list (1..3)"),
    "unparseable_date": (dossier(2, NgayTiepNhan="2026-03-15 08:30"), "NgayTiepNhan",
                         "NgayTiepNhan is not a date-time yyyyMMddHHmmss: 2026-03-15 08:30"),
    "short_date": (dossier(2, NgayHenTra="2026031817000"), "NgayHenTra", "NgayHenTra is not a date-time"),
    "backwards_date": (dossier(2, NgayTiepNhan="20260316113000", NgayKetThucXuLy=None), "NgayTra",
                       "dates run backwards: NgayTiepNhan 20260316113000 is after NgayTra 20260316110000"),
    "malformed_list": (dossier(2, DanhSachLePhi={"Gia": 1}), "DanhSachLePhi", "DanhSachLePhi is not a JSON"),
}


@pytest.mark.parametrize("case", DEFECTS)
def test_each_defect_is_quarantined_with_a_message_and_good_rows_still_load(tmp_path, case):
    bad, field, reason = DEFECTS[case]
    con, s = _load(tmp_path, [dossier(1), bad, dossier(3)])

    assert (s.files_loaded, s.rows_loaded, s.rows_quarantined) == (1, 2, 1)
    rows = [r for r in quarantine(con, "dvcqg_hoso")]
    assert [(r[0], r[1]) for r in rows] == [(2, field)]
    assert reason in rows[0][2]
    message = next(m for m in s.messages if " line 2" in m)
    assert message.startswith(f"dvcqg_hoso {FILE} line 2") and reason in message
    if field:
        assert f"field {field}:" in message
    assert con.execute("select list(MaHoSo order by _line) from raw.dvcqg_hoso").fetchone()[0] == [
        "H44.07-260315-00001", "H44.07-260315-00003"]
    # the quarantined line is kept for a human, but with its personal data hashed
    assert CITIZEN_ID not in rows[0][3] and PHONE not in rows[0][3] and "Nguyễn" not in rows[0][3]


def test_a_line_with_several_defects_gets_one_quarantine_row_per_defect(tmp_path):
    con, s = _load(tmp_path, [dossier(1, TrangThaiHoSo=0, KenhThucHien=9, MaCoQuan=None)])
    assert s.rows_quarantined == 1
    assert [r[1] for r in quarantine(con, "dvcqg_hoso")] == ["KenhThucHien", "MaCoQuan", "TrangThaiHoSo"]


def test_typed_values_and_personal_data_hashed(tmp_path):
    con, s = _load(tmp_path, [dossier(1), dossier(2, KenhThucHien=None, DinhDanhCHS=[], ChuHoSo=None)])
    assert s.rows_loaded == 2 and s.rows_quarantined == 0
    row = con.execute("""select NgayTiepNhan::varchar, KenhThucHien, DinhDanhCHS[1].SoDinhDanh, ChuHoSo.HoTen,
                                ChuHoSo.SoDienThoai, DanhSachHoSoBoSung[1].NgayBoSung::varchar, DanhSachLePhi[1].Gia,
                                _file, _line, _extract_date::varchar
                         from raw.dvcqg_hoso order by _line""").fetchall()
    assert row[0][:2] == ("2026-03-15 08:30:00", 2)
    assert len(row[0][2]) == 64 and row[0][2] != CITIZEN_ID and not any(c.isdigit() for c in row[0][2])
    assert row[0][3] != "Nguyễn Văn An" and row[0][4] != PHONE
    assert row[0][5:] == ("2026-03-16 15:00:00", 2000, FILE, 1, NIGHT)
    assert row[1][1] is None and row[1][3] is None
    # same key -> same pseudonym; another key -> another
    again = con.execute("select pii_hash(?)", [CITIZEN_ID]).fetchone()[0]
    assert again == row[0][2]


def test_nfd_text_is_normalised_and_hashes_like_its_nfc_twin(tmp_path):
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    fee = [{"MaPhiLePhi": "LP1", "TenPhiLePhi": nfd("Lệ phí chứng thực"), "Gia": 2000, "HinhThucThu": "1"}]
    owner = {"HoTen": nfd("Nguyễn Văn An"), "SoDienThoai": PHONE, "DiaChi": nfd("12 Phan Châu Trinh, Tam Kỳ")}
    con, s = _load(tmp_path, [dossier(1), dossier(2, DanhSachLePhi=fee, ChuHoSo=owner)])
    assert s.rows_loaded == 2
    names = con.execute("select DanhSachLePhi[1].TenPhiLePhi, ChuHoSo.HoTen from raw.dvcqg_hoso order by _line").fetchall()
    assert names[0] == names[1]
    assert names[1][0] == unicodedata.normalize("NFC", "Lệ phí chứng thực")


def test_escaped_nfd_in_json_is_normalised_too(tmp_path):
    line = json.dumps(dossier(1, MaTTHC="1.005129"), ensure_ascii=True)
    line = line.replace('"H44.07-260315-00001"', json.dumps(unicodedata.normalize("NFD", "H44.07-Ệ-1"), ensure_ascii=True))
    con, s = _load(tmp_path, [line])
    assert con.execute("select MaHoSo from raw.dvcqg_hoso").fetchone()[0] == unicodedata.normalize("NFC", "H44.07-Ệ-1")


def test_duplicate_version_is_dropped_once_and_counted_not_quarantined(tmp_path):
    con, s = _load(tmp_path, [dossier(1), dossier(1), dossier(1, NgayCapNhat="20260316120000", TrangThaiHoSo=10)])
    assert (s.rows_loaded, s.rows_duplicate, s.rows_quarantined) == (2, 1, 0)
    assert quarantine(con, "dvcqg_hoso") == []
    assert any("1 duplicate versions dropped" in m for m in s.messages)
    # the same versions again on the next night (other bytes): dropped again, only the new one loads
    landing = tmp_path / "landing"
    reference_night(landing, "2026-03-16")
    write_night(landing, "dvcqg_hoso", "2026-03-16", [dossier(1), dossier(2)])
    s2 = load_source(con, landing, "dvcqg_hoso", KEY)
    assert (s2.files_loaded, s2.files_skipped, s2.rows_loaded, s2.rows_duplicate) == (1, 1, 1, 1)
    assert con.execute("select count(*) from raw.dvcqg_hoso").fetchone()[0] == 3


def test_truncated_gzip_rejects_the_whole_file(tmp_path):
    whole = gzip.compress(("\n".join(json.dumps(dossier(i)) for i in range(1, 50)) + "\n").encode(), mtime=0)
    con, s = _load(tmp_path, whole[: len(whole) // 2], rows=49)
    assert (s.files_rejected, s.rows_loaded) == (1, 0)
    assert any(m.startswith(f"dvcqg_hoso {FILE} (whole file) rejected: truncated or corrupt gzip") for m in s.messages)
    [(line_no, field, reason, raw)] = quarantine(con, "dvcqg_hoso")
    assert (line_no, field, raw) == (None, None, None) and reason.startswith("truncated or corrupt gzip")
    assert con.execute("select status from raw.load_log where source = 'dvcqg_hoso'").fetchall() == [("rejected",)]


@pytest.mark.parametrize("kw, reason", [
    ({"sha": "0" * 64}, "does not match the manifest's"),
    ({"rows": 5}, "2 rows in the file, 5 in the manifest"),
])
def test_checksum_or_row_count_mismatch_rejects_the_whole_file(tmp_path, kw, reason):
    con, s = _load(tmp_path, [dossier(1), dossier(2)], **kw)
    assert (s.files_rejected, s.files_loaded, s.rows_loaded) == (1, 0, 0)
    [(line_no, field, text, raw)] = quarantine(con, "dvcqg_hoso")
    assert line_no is None and raw is None and reason in text
    assert any(reason in m and FILE in m for m in s.messages)
    # running again does not log the same rejection twice
    load_all(con, tmp_path / "landing", KEY)
    assert con.execute("select count(*) from raw.load_log where status = 'rejected'").fetchone()[0] == 1


def test_night_without_manifest_waits(tmp_path):
    landing = tmp_path / "landing"
    reference_night(landing)
    write_night(landing, "dvcqg_hoso", NIGHT, [dossier(1)], manifest=False)
    con = connect(tmp_path)
    s = load_source(con, landing, "dvcqg_hoso", KEY)
    assert (s.files_loaded, s.rows_loaded) == (0, 0)
    assert any("no _manifest.json yet" in m for m in s.messages)


def test_redelivered_file_loads_once(tmp_path):
    con, s = _load(tmp_path, [dossier(1), dossier(2)])
    landing = tmp_path / "landing"
    again = load_all(con, landing, KEY)["dvcqg_hoso"]
    assert (again.files_skipped, again.files_loaded, again.rows_loaded) == (1, 0, 0)
    # the same bytes delivered in a later night's folder are skipped too
    src = landing / "dvcqg_hoso" / NIGHT
    write_night(landing, "dvcqg_hoso", "2026-03-16", (src / "part-00000.jsonl.gz").read_bytes(), rows=2)
    later = load_source(con, landing, "dvcqg_hoso", KEY)
    assert later.files_skipped == 2 and later.rows_loaded == 0
    assert con.execute("select count(*) from raw.dvcqg_hoso").fetchone()[0] == 2
    assert con.execute("select count(*) from raw.load_log where source = 'dvcqg_hoso'").fetchone()[0] == 1


def test_units_are_checked_against_the_snapshot_of_that_night(tmp_path):
    landing = tmp_path / "landing"
    reference_night(landing, "2026-03-14")
    write_night(landing, "dvcqg_coquan", NIGHT, [u for u in units() if u["MaCoQuan"] != "H44.07"])
    write_night(landing, "dvcqg_hoso", "2026-03-14", [dossier(1)], window_end="2026-03-16T23:59:59+07:00")
    write_night(landing, "dvcqg_hoso", NIGHT, [dossier(2)])
    con = connect(tmp_path)
    s = load_all(con, landing, KEY)["dvcqg_hoso"]
    assert (s.rows_loaded, s.rows_quarantined) == (1, 1)
    assert quarantine(con, "dvcqg_hoso")[0][2] == f"unknown unit H44.07 (not in dvcqg_coquan of {NIGHT})"


def test_only_the_requested_nights_load(tmp_path):
    landing = tmp_path / "landing"
    for night in ("2026-03-14", NIGHT):
        reference_night(landing, night)
        write_night(landing, "dvcqg_hoso", night, [dossier(1, NgayCapNhat=night.replace("-", "") + "120000")])
    con = connect(tmp_path)
    load_source(con, landing, "dvcqg_coquan", KEY)
    load_source(con, landing, "csdl_tthc", KEY)
    s = load_source(con, landing, "dvcqg_hoso", KEY, nights={NIGHT})
    assert (s.files_loaded, s.rows_loaded) == (1, 1)
    assert con.execute("select list(_extract_date::varchar) from raw.dvcqg_hoso").fetchone()[0] == [NIGHT]


def test_dossiers_load_unchecked_when_no_reference_snapshot_was_ever_delivered(tmp_path):
    """A home whose first deliveries hold no unit or procedure list still loads its dossiers, and
    says their codes went unchecked (this path crashed on DuckDB 2: an unfinished result)."""
    landing = tmp_path / "landing"
    write_night(landing, "dvcqg_hoso", NIGHT, [dossier(1), dossier(2, MaCoQuan="H99.01")])
    con = connect(tmp_path)
    s = load_all(con, landing, KEY)["dvcqg_hoso"]
    assert (s.files_loaded, s.rows_loaded, s.rows_quarantined) == (1, 2, 0)
    assert f"dvcqg_hoso {FILE}: no dvcqg_coquan snapshot loaded, its codes are not checked" in s.messages
    assert f"dvcqg_hoso {FILE}: no csdl_tthc snapshot loaded, its codes are not checked" in s.messages


def test_personal_data_inside_the_lists_is_hashed_and_clean_lists_are_kept_as_sent(tmp_path):
    """The fee and result lists are redacted only where the list may hold personal data; both
    sides of that choice: dirty texts come out hashed, clean ones (NFC-normalised) unchanged."""
    link = f"https://dvc.example/kq/{CITIZEN_ID}.pdf?sdt={PHONE}"
    fee = [{"MaPhiLePhi": "LP1", "TenPhiLePhi": 'Lệ phí {"HoTen": "Trần Thị Bình"}', "Gia": 2000, "HinhThucThu": "1"}]
    con, s = _load(tmp_path, [dossier(1), dossier(2, DanhSachGiayToKetQua=[{"MaGiayToKetQua": "KQ1",
                                                                            "DuongDanTepTinKetQua": link}],
                                                  DanhSachLePhi=fee)])
    assert s.rows_loaded == 2
    clean, dirty = con.execute("select DanhSachGiayToKetQua[1].DuongDanTepTinKetQua, DanhSachLePhi[1].TenPhiLePhi"
                               " from raw.dvcqg_hoso order by _line").fetchall()
    assert clean == ("https://dvc.example/kq1.pdf", "Lệ phí chứng thực")
    hashed_id, hashed_phone = (con.execute("select pii_hash(?)", [v]).fetchone()[0] for v in (CITIZEN_ID, PHONE))
    assert dirty[0] == f"https://dvc.example/kq/{hashed_id}.pdf?sdt={hashed_phone}"
    assert "Bình" not in dirty[1] and dirty[1].startswith('Lệ phí {"HoTen":"')
