"""Hand-made landing nights for the loader tests (no tests here; imported by test_sources_*)."""
from __future__ import annotations

import copy
import gzip
import hashlib
import json
from pathlib import Path

import duckdb

from dagster_project.sources import ensure_raw_schema

KEY = "test-pii-key"
NIGHT = "2026-03-15"
CITIZEN_ID = "001203004567"
PHONE = "0912345678"


def write_night(landing: Path, source: str, night: str, content: list | bytes | str, *,
                name: str | None = None, rows: int | None = None, sha: str | None = None,
                manifest: bool = True, csv: bool = False, window_end: str | None = None) -> Path:
    """Write one file (records are dumped as JSON Lines unless they are already strings) and,
    unless told otherwise, its manifest with the true sha256 and row count."""
    folder = landing / source / night
    folder.mkdir(parents=True, exist_ok=True)
    name = name or ("part-00000.csv" if csv else "part-00000.jsonl.gz")
    if isinstance(content, list):
        lines = [c if isinstance(c, str) else json.dumps(c, ensure_ascii=False) for c in content]
        text = "\n".join(lines) + "\n"
        data = text.encode("utf-8")
        n = len(lines) - (1 if csv else 0)
    else:
        data = content.encode("utf-8") if isinstance(content, str) else content
        n = rows
    if name.endswith(".gz") and isinstance(content, (list, str)):
        data = gzip.compress(data, mtime=0)
    (folder / name).write_bytes(data)
    if manifest:
        entry = {"name": name, "rows": rows if rows is not None else n,
                 "sha256": sha or hashlib.sha256(data).hexdigest()}
        (folder / "_manifest.json").write_text(json.dumps({
            "source": source, "extract_date": night, "window_start": f"{night}T00:00:00+07:00",
            "window_end": window_end or f"{night}T23:59:59+07:00", "schema_version": 1, "files": [entry]}))
    return folder / name


def units() -> list[dict]:
    return [
        {"MaCoQuan": "H44", "TenCoQuan": "UBND tỉnh Quảng Nam", "LoaiCoQuan": "TINH", "MaCoQuanCha": None,
         "MaDinhDanh": "000.00.00.H44", "HieuLucTu": "20200101", "HieuLucDen": None},
        {"MaCoQuan": "H44.07", "TenCoQuan": "Sở Tư pháp", "LoaiCoQuan": "SO", "MaCoQuanCha": "H44",
         "MaDinhDanh": "000.07.44.H44", "HieuLucTu": "20200101000000", "HieuLucDen": None},
        {"MaCoQuan": "H44.100", "TenCoQuan": "UBND xã Tam Kỳ", "LoaiCoQuan": "XA", "MaCoQuanCha": "H44",
         "MaDinhDanh": None, "HieuLucTu": None, "HieuLucDen": None},
    ]


def procedures() -> list[dict]:
    base = {"CapThucHien": ["TINH", "XA"], "CoQuanCongBo": "H44", "MucDoDVC": "toàn trình",
            "DuDieuKienToanTrinh": 1, "YeuCauKetQuaGiay": 0, "CoPhiLePhi": 1, "DoiTuongThucHien": ["Công dân"],
            "ThoiHanGiaiQuyet": 3, "DonViThoiHan": "ngày làm việc", "DayDuBoPhanTaoThanh": 1,
            "NgayQuyetDinhCongBo": "20240101000000", "NgayHieuLucCanCu": "20240101000000",
            "NgayCongKhai": "20240105000000", "TrangThai": "Đang áp dụng"}
    return [{**base, "MaTTHC": "1.005129", "TenTTHC": "Chứng thực bản sao từ bản chính"},
            {**base, "MaTTHC": "2.000001", "TenTTHC": "Đăng ký khai sinh", "MucDoDVC": "một phần"}]


_DOSSIER = {
    "MaHoSo": "H44.07-260315-00001", "MaTTHC": "1.005129", "MaCoQuan": "H44.07", "KenhThucHien": 2,
    "TrangThaiHoSo": 10, "NgayNopHoSo": "20260315080000", "NgayTiepNhan": "20260315083000",
    "NgayHenTra": "20260318170000", "NgayKetThucXuLy": "20260316100000", "NgayTra": "20260316110000",
    "NgayTuChoi": None, "NgayCapNhat": "20260316110000", "LoaiDoiTuong": 1,
    "DinhDanhCHS": [{"LoaiDinhDanh": 1, "SoDinhDanh": CITIZEN_ID}],
    "ChuHoSo": {"HoTen": "Nguyễn Văn An", "SoDienThoai": PHONE, "DiaChi": "12 Phan Châu Trinh, Tam Kỳ"},
    "TaiKhoanDuocXacThucVoiVNeID": 1, "DSKetNoiCSDL": [{"MaCSDL": "CSDLDC"}], "HoSoCoThanhPhanSoHoa": 1,
    "DuocThanhToanTrucTuyen": 1,
    "DanhSachLePhi": [{"MaPhiLePhi": "LP1", "TenPhiLePhi": "Lệ phí chứng thực", "Gia": 2000, "HinhThucThu": "1"}],
    "TaiLieuNop": [{"MaThanhPhanHoSo": "TP1", "DuocSoHoa": 1, "DuocTaiSuDung": 0, "DuocLayTuKhoDMQG": 0}],
    "DanhSachGiayToKetQua": [{"MaGiayToKetQua": "KQ1", "DuongDanTepTinKetQua": "https://dvc.example/kq1.pdf"}],
    "DanhSachHoSoBoSung": [{"NgayYeuCauBoSung": "20260316090000", "NgayBoSung": "20260316150000"}],
}


def dossier(seq: int = 1, **overrides) -> dict:
    d = copy.deepcopy(_DOSSIER)
    d["MaHoSo"] = f"H44.07-260315-{seq:05d}"
    d.update(overrides)
    return d


def connect(tmp_path: Path | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb") if tmp_path else ":memory:")
    ensure_raw_schema(con)
    return con


def reference_night(landing: Path, night: str = NIGHT) -> None:
    write_night(landing, "dvcqg_coquan", night, units())
    write_night(landing, "csdl_tthc", night, procedures())


def load_one_night(tmp_path: Path, source: str, content, **kw):
    """The reference snapshots and one file of `source` for NIGHT, loaded by load_all:
    (connection, that source's LoadSummary)."""
    from dagster_project.sources import load_all
    landing = tmp_path / "landing"
    reference_night(landing)
    write_night(landing, source, NIGHT, content, **kw)
    con = connect(tmp_path)
    return con, load_all(con, landing, KEY)[source]


def quarantine(con, source: str) -> list[tuple]:
    """(line_no, field, reason, raw_text) of a source's quarantine rows, in line order."""
    return con.execute("select line_no, field, reason, raw_text from raw.quarantine where source = ?"
                       " order by line_no nulls first, field", [source]).fetchall()


def nights_fixture(landing: Path, n: int = 30, start: str = "2026-03-01", full: bool = True) -> list[str]:
    """n nights of every fixed source plus one agency system (full=False: the reference snapshots,
    dossiers and the agency system only): dossiers reappear the next night with a new version and
    a re-sent old one, one line a night is bad, personal data everywhere."""
    from datetime import date, timedelta
    days = [(date.fromisoformat(start) + timedelta(days=i)) for i in range(n)]
    for i, d in enumerate(days):
        night, ymd = d.isoformat(), d.strftime("%Y%m%d")
        prev = (d - timedelta(days=1)).strftime("%Y%m%d")
        reference_night(landing, night)
        fresh = [dossier(100 * i + k, NgayNopHoSo=f"{ymd}073000", NgayTiepNhan=f"{ymd}080000", NgayKetThucXuLy=None, NgayTra=None,
                         TrangThaiHoSo=4, NgayCapNhat=f"{ymd}0900{k:02d}",
                         DinhDanhCHS=[{"LoaiDinhDanh": 1, "SoDinhDanh": f"0012030{i:03d}{k:02d}"}],
                         ChuHoSo={"HoTen": "Trần Thị Bình", "SoDienThoai": f"09{i:04d}{k:04d}", "DiaChi": "Hội An"})
                 for k in range(3)]
        again = [dossier(100 * (i - 1) + k, NgayNopHoSo=f"{prev}073000", NgayTiepNhan=f"{prev}080000", NgayKetThucXuLy=None, NgayTra=None,
                         TrangThaiHoSo=4, NgayCapNhat=f"{prev}0900{k:02d}") for k in range(3)] if i else []
        done = [dossier(100 * (i - 1) + k, NgayNopHoSo=f"{prev}073000", NgayTiepNhan=f"{prev}080000", TrangThaiHoSo=10,
                        NgayKetThucXuLy=f"{ymd}100000", NgayTra=f"{ymd}110000", NgayCapNhat=f"{ymd}110000")
                for k in range(2)] if i else []
        broken = json.dumps(dossier(100 * i + 50, TrangThaiHoSo=12))[:-40]      # cut: not JSON, with an ID inside
        write_night(landing, "dvcqg_hoso", night, fresh + again + done + [broken, dossier(100 * i + 51, MaCoQuan="H00")])
        write_night(landing, "agency_vnpt", night, [
            "\ufeffMã hồ sơ;Mã thủ tục;Mã đơn vị;Kênh nộp;Trạng thái;Ngày tiếp nhận;Ngày hẹn trả;Ngày cập nhật",
            f"H44.07-{d:%y%m%d}-00001;1.005129;H44.07;2;2;{d:%d/%m/%Y} 08:00;;{d:%d/%m/%Y} 09:00"], csv=True)
        if not full:
            continue
        write_night(landing, "dvcqg_pakn", night, [
            {"MaPAKN": f"PA{i}", "MaCoQuan": "H44", "MaHoSo": None, "PhanLoai": "HANH_VI",
             "NgayTiepNhan": f"{ymd}080000", "NgayChuyen": None, "NgayXuLy": None, "TrangThai": "Đang xử lý",
             "SoThich": i, "SoKhongThich": 0, "PhanAnhLaiVeKetQua": 0, "NgayCapNhat": f"{ymd}080000"}])
        write_night(landing, "dvcqg_danhgia", night, [{"MaHoSo": f"H44.07-260315-{100 * i:05d}", "MucDo": 1 + i % 5,
                                                       "NgayDanhGia": f"{ymd}120000"}])
        write_night(landing, "dvcqg_dvctt", night, [{"MaDichVu": "DV1", "MaTTHC": "1.005129", "MaCoQuan": "H44.07",
                                                     "MucDo": "toàn trình", "TrangThai": "1"}])
        write_night(landing, "bcqg_tiepnhan", night, ["MaCoQuan;Thang;SoHoSoTiepNhan", f"H44;{d:%Y-%m};{10 * i}"],
                    csv=True)
    return [d.isoformat() for d in days]
