"""The extract simulator writes exactly the landing contract, deterministically."""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from dagster_project.simulate import DEFECT_CLASSES, simulate
from dagster_project.simulate.calendar import add_working_days

START, END = date(2026, 2, 9), date(2026, 2, 24)  # spans Tết 2026 (16–20 February)
PROVINCES = ["H44", "H55"]  # one province on each agency system (even / odd code)
ARGS = dict(scale=0.004, seed=7, provinces=PROVINCES)

HOSO_FIELDS = ["MaHoSo", "MaTTHC", "MaCoQuan", "KenhThucHien", "TrangThaiHoSo", "NgayNopHoSo", "NgayTiepNhan",
               "NgayHenTra", "NgayKetThucXuLy", "NgayTra", "NgayTuChoi", "NgayCapNhat", "LoaiDoiTuong", "DinhDanhCHS",
               "ChuHoSo", "TaiKhoanDuocXacThucVoiVNeID", "DSKetNoiCSDL", "HoSoCoThanhPhanSoHoa",
               "DuocThanhToanTrucTuyen", "DanhSachLePhi", "TaiLieuNop", "DanhSachGiayToKetQua", "DanhSachHoSoBoSung"]
COQUAN_FIELDS = ["MaCoQuan", "TenCoQuan", "LoaiCoQuan", "MaCoQuanCha", "MaDinhDanh", "HieuLucTu", "HieuLucDen"]
TTHC_FIELDS = ["MaTTHC", "TenTTHC", "CapThucHien", "CoQuanCongBo", "MucDoDVC", "DuDieuKienToanTrinh",
               "YeuCauKetQuaGiay", "CoPhiLePhi", "DoiTuongThucHien", "ThoiHanGiaiQuyet", "DonViThoiHan",
               "DayDuBoPhanTaoThanh", "NgayQuyetDinhCongBo", "NgayHieuLucCanCu", "NgayCongKhai", "TrangThai"]


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("landing")
    simulate(root, START, END, **ARGS)
    return root


def read_jsonl(landing: Path, source: str, night: date | None = None) -> list[dict]:
    folders = [landing / source / night.isoformat()] if night else sorted((landing / source).iterdir())
    rows = []
    for folder in folders:
        with gzip.open(folder / "part-00000.jsonl.gz", "rt", encoding="utf-8") as f:
            rows.extend(json.loads(line) for line in f)
    return rows


def ts(s: str) -> datetime:
    return datetime.strptime(s, "%Y%m%d%H%M%S")


def all_bytes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(landing, tmp_path):
    again = tmp_path / "again"
    simulate(again, START, END, **ARGS)
    assert all_bytes(again) == all_bytes(landing)
    other = tmp_path / "other"
    simulate(other, START, START, **{**ARGS, "seed": 8})
    name = f"dvcqg_hoso/{START}/part-00000.jsonl.gz"
    assert all_bytes(other)[name] != all_bytes(landing)[name]


def test_every_night_has_a_manifest_written_last_that_matches_its_files(landing):
    folders = [f for source in landing.iterdir() for f in source.iterdir()]
    assert {f.parent.name for f in folders} >= {"dvcqg_hoso", "dvcqg_coquan", "csdl_tthc"}
    assert len({f.name for f in folders}) == (END - START).days + 1
    for folder in folders:
        manifest = json.loads((folder / "_manifest.json").read_text(encoding="utf-8"))
        assert manifest["source"] == folder.parent.name
        assert manifest["extract_date"] == folder.name
        assert manifest["window_start"] == f"{folder.name}T00:00:00+07:00"
        assert manifest["window_end"].endswith("T00:00:00+07:00")
        assert manifest["schema_version"] == "1.0"
        for entry in manifest["files"]:
            data = folder / entry["name"]
            assert hashlib.sha256(data.read_bytes()).hexdigest() == entry["sha256"]
            if data.suffix == ".gz":
                with gzip.open(data, "rt", encoding="utf-8") as f:
                    lines = sum(1 for _ in f)
            else:
                lines = data.read_text(encoding="utf-8-sig").count("\n") - 1  # header row
            assert lines == entry["rows"]
            assert (folder / "_manifest.json").stat().st_mtime_ns >= data.stat().st_mtime_ns


def test_dossier_versions_carry_every_field_and_stay_in_their_night(landing):
    for night in (START, date(2026, 2, 12)):
        rows = read_jsonl(landing, "dvcqg_hoso", night)
        assert rows
        for r in rows:
            assert list(r) == HOSO_FIELDS
            assert ts(r["NgayCapNhat"]).date() == night
            assert r["TrangThaiHoSo"] in range(1, 11)
            assert r["KenhThucHien"] in (1, 2, 3, None)
            assert re.fullmatch(r"\d{12}", r["DinhDanhCHS"][0]["SoDinhDanh"])
            assert re.fullmatch(r"0\d{9}", r["ChuHoSo"]["SoDienThoai"])
            assert all(isinstance(fee["Gia"], int) for fee in r["DanhSachLePhi"])


def test_dossier_codes_name_the_receiving_unit_and_day(landing):
    rows = read_jsonl(landing, "dvcqg_hoso")
    units = {r["MaCoQuan"] for r in read_jsonl(landing, "dvcqg_coquan", START)}
    for r in rows:
        m = re.fullmatch(r"(H\d{2}\.\d{2,3})-(\d{6})-(\d{5})", r["MaHoSo"])
        assert m, r["MaHoSo"]
        assert m.group(1) == r["MaCoQuan"] and r["MaCoQuan"] in units
        assert m.group(2) == r["NgayTiepNhan"][2:8]
    # a dossier reappears on later nights as its state changes
    by_code: dict[str, list[dict]] = {}
    for r in rows:
        by_code.setdefault(r["MaHoSo"], []).append(r)
    multi = [v for v in by_code.values() if len(v) > 1]
    assert multi
    for versions in multi:
        days = [ts(v["NgayCapNhat"]).date() for v in versions]
        assert len(set(days)) == len(days)


def test_due_dates_count_working_days_skipping_weekends_and_tet(landing):
    catalogue = {r["MaTTHC"]: r for r in read_jsonl(landing, "csdl_tthc", END)}
    checked = crossing_tet = 0
    for r in read_jsonl(landing, "dvcqg_hoso"):
        proc = catalogue[r["MaTTHC"]]
        if proc["DonViThoiHan"] != "ngày làm việc":
            continue
        received, due = ts(r["NgayTiepNhan"]), ts(r["NgayHenTra"])
        assert due.date() == add_working_days(received.date(), proc["ThoiHanGiaiQuyet"]), r["MaHoSo"]
        assert due.time() == received.time()
        checked += 1
        crossing_tet += received.date() < date(2026, 2, 16) <= due.date()
    assert checked > 100 and crossing_tet > 0
    # the known case: 3 working days from Friday 13 Feb 2026 skip the weekend and the Tết week
    assert add_working_days(date(2026, 2, 13), 3) == date(2026, 2, 25)


def test_unit_directory_is_the_real_post_merger_map(landing):
    units = {r["MaCoQuan"]: r for r in read_jsonl(landing, "dvcqg_coquan", START)}
    assert list(next(iter(units.values()))) == COQUAN_FIELDS
    assert units["H44"]["TenCoQuan"] == "UBND tỉnh Phú Thọ" and units["H44"]["MaDinhDanh"] == "000.00.00.H44"
    kinds = {}
    for u in units.values():
        kinds.setdefault(u["LoaiCoQuan"], []).append(u)
        assert u["MaCoQuan"].split(".")[0] in PROVINCES
    assert len(kinds["TINH"]) == 2 and "BO" not in kinds
    assert 15 * 2 <= len(kinds["SO"]) <= 20 * 2
    assert all(u["MaCoQuanCha"] in PROVINCES for u in kinds["SO"] + kinds["XA"])
    assert any(u["TenCoQuan"] == "Sở Tư pháp tỉnh Phú Thọ" for u in kinds["SO"])
    assert len([u for u in kinds["XA"] if u["MaCoQuanCha"] == "H44"]) == 148  # Phú Thọ's communes since July 2025


def test_procedure_catalogue_snapshot(landing):
    rows = read_jsonl(landing, "csdl_tthc", END)
    assert list(rows[0]) == TTHC_FIELDS
    assert 1000 < len(rows) < 6000
    assert {r["MucDoDVC"] for r in rows} == {"none", "một phần", "toàn trình"}
    assert all(re.fullmatch(r"[12]\.\d{6}", r["MaTTHC"]) for r in rows)
    assert {r["CoQuanCongBo"] for r in rows if r["MaTTHC"].startswith("2.")} == set(PROVINCES)


def read_csv(landing: Path, source: str, night: date, delimiter: str) -> tuple[str, list[list[str]]]:
    raw = (landing / source / night.isoformat() / "part-00000.csv").read_bytes().decode("utf-8")
    lines = raw.splitlines()
    return lines[0], [line.split(delimiter) for line in lines[1:]]


def test_other_portal_sources_carry_their_contract_fields(landing):
    night = date(2026, 2, 12)
    assert list(read_jsonl(landing, "dvcqg_dvctt", night)[0]) == ["MaDichVu", "MaTTHC", "MaCoQuan", "MucDo", "TrangThai"]
    ratings = read_jsonl(landing, "dvcqg_danhgia")
    assert ratings and all(list(r) == ["MaHoSo", "MucDo", "NgayDanhGia"] and 1 <= r["MucDo"] <= 5 for r in ratings)
    pakn = read_jsonl(landing, "dvcqg_pakn")
    assert pakn and list(pakn[0]) == ["MaPAKN", "MaCoQuan", "MaHoSo", "PhanLoai", "NgayTiepNhan", "NgayChuyen", "NgayXuLy",
                                      "TrangThai", "SoThich", "SoKhongThich", "PhanAnhLaiVeKetQua", "NgayCapNhat"]
    header, rows = read_csv(landing, "bcqg_tiepnhan", night, ";")
    assert header == "MaCoQuan;Thang;SoHoSoTiepNhan"
    assert {r[1] for r in rows} == {"2026-02"} and all(int(r[2]) > 0 for r in rows)


def test_agency_systems_hold_every_local_dossier_including_unsynced_ones(landing):
    vnpt_header, _ = read_csv(landing, "agency_vnpt", START, ";")
    viettel_header, _ = read_csv(landing, "agency_viettel", START, ",")
    assert vnpt_header == "\ufeffMã hồ sơ;Mã thủ tục;Mã đơn vị;Kênh nộp;Trạng thái;Ngày tiếp nhận;Ngày hẹn trả;Ngày cập nhật"
    assert viettel_header == ("\ufeffSoHoSo,MaThuTuc,MaDonViTiepNhan,HinhThucNop,TinhTrang,ThoiDiemTiepNhan,"
                              "HanTraKetQua,ThoiDiemCapNhat")
    portal = {r["MaHoSo"] for r in read_jsonl(landing, "dvcqg_hoso") if ts(r["NgayTiepNhan"]).date() >= START}
    local: set[str] = set()
    night = START
    while night <= END:
        _, vnpt = read_csv(landing, "agency_vnpt", night, ";")
        _, viettel = read_csv(landing, "agency_viettel", night, ",")
        assert all(r[2].startswith("H44") and datetime.strptime(r[5], "%d/%m/%Y %H:%M").date() == night for r in vnpt)
        assert all(r[2].startswith("H55") and datetime.strptime(r[5], "%Y-%m-%d %H:%M:%S").date() == night for r in viettel)
        # bcqg's running monthly count grows by exactly the dossiers received locally that night
        if night.day > 1 and night > START:
            _, today = read_csv(landing, "bcqg_tiepnhan", night, ";")
            _, before = read_csv(landing, "bcqg_tiepnhan", night - timedelta(days=1), ";")
            grown = {r[0]: int(r[2]) for r in today}
            for code, n in ((r[0], int(r[2])) for r in before):
                grown[code] -= n
            received: dict[str, int] = {}
            for r in vnpt + viettel:
                received[r[2]] = received.get(r[2], 0) + 1
            assert {k: v for k, v in grown.items() if v} == received
        local |= {r[0] for r in vnpt + viettel}
        night += timedelta(days=1)
    assert portal < local  # some local dossiers never reach the portal


def test_defects_land_where_documented(tmp_path):
    root = tmp_path / "defects"
    simulate(root, date(2026, 3, 9), date(2026, 3, 11), scale=0.01, seed=7, provinces=["H44"], defects=DEFECT_CLASSES)
    n0, n1, n2 = "2026-03-09", "2026-03-10", "2026-03-11"
    lines = gzip.open(root / "dvcqg_hoso" / n0 / "part-00000.jsonl.gz", "rt", encoding="utf-8").read().splitlines()
    manifest = json.loads((root / "dvcqg_hoso" / n0 / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"][0]["rows"] == len(lines)
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            parsed.append(None)
    assert parsed.count(None) == 1
    good = [r for r in parsed if r]
    assert sum("TrangThaiHoSo" not in r for r in good) == 1
    assert sum(r["MaCoQuan"] == "H99.999" for r in good) == 1
    assert sum(r["MaTTHC"] == "9.999999" for r in good) == 1
    assert sum(r.get("TrangThaiHoSo") == 42 for r in good) == 1
    assert sum(r["KenhThucHien"] == 7 for r in good) == 1
    assert sum(r["NgayTiepNhan"] == "20261345256199" for r in good) == 1
    # (the bad_date line "20261345256199" also sorts after any NgayTra when it lands on a returned dossier)
    assert sum(r["NgayTra"] is not None and r["NgayTiepNhan"] > r["NgayTra"] and r["NgayTiepNhan"] != "20261345256199"
               for r in good) == 1
    assert len(lines) - len(set(lines)) == 1
    assert sum(unicodedata.is_normalized("NFD", r["ChuHoSo"]["HoTen"]) and not unicodedata.is_normalized("NFC", r["ChuHoSo"]["HoTen"])
               for r in good) == 1
    header = (root / "agency_vnpt" / n0 / "part-00000.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "Hạn xử lý" in header and "Ngày hẹn trả" not in header
    with pytest.raises(EOFError):
        gzip.open(root / "dvcqg_dvctt" / n1 / "part-00000.jsonl.gz").read()
    tthc = root / "csdl_tthc" / n2
    entry = json.loads((tthc / "_manifest.json").read_text(encoding="utf-8"))["files"][0]
    assert entry["sha256"] != hashlib.sha256((tthc / "part-00000.jsonl.gz").read_bytes()).hexdigest()


def test_a_clean_run_loads_without_quarantine(landing, tmp_path):
    from dagster_project.settings import pii_key
    from dagster_project.sources import load_all

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    summary = load_all(con, landing, pii_key()[0])
    assert summary["dvcqg_hoso"].rows_loaded > 0 and summary["agency_viettel"].rows_loaded > 0
    assert con.execute("select count(*) from raw.quarantine").fetchone()[0] == 0
    assert con.execute("select count(*) from raw.load_log where status <> 'loaded' and rows_in_manifest > 0").fetchone()[0] == 0


def test_procedures_assigned_to_units_use_unit_type_codes_and_stay_in_their_field(landing):
    """csdl_tthc_donvi: each department its field's procedures, every commune its province's commune
    list; CapThucHien carries the unit-type codes of dvcqg_coquan."""
    units = {r["MaCoQuan"]: r for r in read_jsonl(landing, "dvcqg_coquan", END)}
    catalogue = {r["MaTTHC"]: r for r in read_jsonl(landing, "csdl_tthc", END)}
    rows = read_jsonl(landing, "csdl_tthc_donvi", END)
    assert rows and list(rows[0]) == ["MaCoQuan", "MaTTHC", "NgayApDung", "NgayHetHieuLuc"]
    assert {lvl for p in catalogue.values() for lvl in p["CapThucHien"]} <= {"BO", "TINH", "SO", "HUYEN", "XA"}
    lists: dict[str, set[str]] = {}
    for r in rows:
        assert r["MaTTHC"] in catalogue and r["MaCoQuan"] in units
        assert re.fullmatch(r"\d{8}", r["NgayApDung"]) and r["NgayApDung"] <= END.strftime("%Y%m%d")
        kind = units[r["MaCoQuan"]]["LoaiCoQuan"]
        assert kind in catalogue[r["MaTTHC"]]["CapThucHien"], (r, catalogue[r["MaTTHC"]]["CapThucHien"])
        lists.setdefault(r["MaCoQuan"], set()).add(r["MaTTHC"])
    departments = [c for c in lists if units[c]["LoaiCoQuan"] == "SO" and units[c]["MaCoQuanCha"] == "H44"]
    assert len(departments) >= 10
    for a in departments:           # two departments of one province never share a procedure
        for b in departments:
            assert a == b or not lists[a] & lists[b], (a, b)
    communes = [c for c in lists if units[c]["LoaiCoQuan"] == "XA" and units[c]["MaCoQuanCha"] == "H44"]
    assert len(communes) == 148 and len({frozenset(lists[c]) for c in communes}) == 1   # one commune list
    assert 80 <= len(lists[communes[0]]) <= 400
