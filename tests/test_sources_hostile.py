"""Hostile and broken extracts (spec/extracts.md, both bad-input sections; issue 9), one table.

Every case is one landing night loaded by the real loader mechanism into a small warehouse:
the reference snapshots (good) and one file of the source under test. Each row of CASES says
what the loader must answer: the message (source, file, line, field), the quarantine rows,
the rows loaded, and whether the file or the night is rejected (a load-log row with status
'rejected' and the way out). Every case also plants personal data (a name, a citizen ID, a
phone) and checks that none of it reaches any table or message.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import unicodedata
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from dagster_project.sources import load_all
from test_sources_helpers import KEY, NIGHT, connect, dossier, reference_night, write_night

NAME = "Trần Văn Xuyenplant"               # the ASCII part survives JSON escaping: searched too
CITIZEN = "079204001234"
PHONE = "0987654321"
PLANTED = (NAME, "Xuyenplant", CITIZEN, CITIZEN.lstrip("0"), PHONE, PHONE.lstrip("0"), "0987 654 321")
OWNER = {"HoTen": NAME, "SoDienThoai": PHONE, "DiaChi": f"Hội An, CCCD {CITIZEN}"}
VNPT_HEADER = "Mã hồ sơ;Mã thủ tục;Mã đơn vị;Kênh nộp;Trạng thái;Ngày tiếp nhận;Ngày hẹn trả;Ngày cập nhật"
VNPT_ROW = "H44.07-260315-00001;1.005129;H44.07;Trực tuyến;2;15/03/2026 08:30;18/03/2026 17:00;15/03/2026 08:31"


def good(seq: int, **kw) -> dict:
    return dossier(seq, **{"ChuHoSo": OWNER, "DinhDanhCHS": [{"LoaiDinhDanh": 1, "SoDinhDanh": CITIZEN}], **kw})


def three(bad) -> list:
    """A good dossier, the case's line, another good dossier."""
    return [good(1), bad, good(3)]


def gz_lines(lines: list) -> bytes:
    text = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n"
    return gzip.compress(text.encode("utf-8"), mtime=0)


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese software writes it: base letters â ê ô ă ơ ư precomposed, tone
    marks as combining characters (Python's codec maps characters one to one)."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if ch in "\u0302\u0306\u031b" and out:       # onto the base letter, before any tone mark
            base = max(i for i, c in enumerate(out) if not unicodedata.combining(c))
            out[base] = unicodedata.normalize("NFC", out[base] + ch)
        else:
            out.append(ch)
    return "".join(out).encode("cp1258")


@dataclass
class Case:
    content: object                       # records / lines, or bytes as delivered
    message: str                          # fragment of the message about the file or the line
    line: int | None = None               # the line the message names (None: whole file / night)
    field: str | None = None              # the field it names
    quarantined: list = dataclasses.field(default_factory=list)   # (line_no, field) rows expected in raw.quarantine
    loaded: int = 0                       # rows of the source in its raw table afterwards
    rejected: bool = False                # the file (or night) refused whole, logged 'rejected'
    source: str = "dvcqg_hoso"
    kw: dict = dataclasses.field(default_factory=dict)            # write_night keyword arguments
    prepare: Callable[[Path, Path], None] | None = None   # (tmp_path, night folder): extra landing work


def _escape_key(line: str) -> str:
    return line.replace('"ChuHoSo"', '"Chu\\u0048oSo"')


def _outside_file(tmp: Path) -> Path:
    """A file outside landing/ that a hostile manifest points at (with its true checksum)."""
    secret = tmp / "outside" / "x.jsonl.gz"
    secret.parent.mkdir(exist_ok=True)
    secret.write_bytes(gz_lines([good(7)]))
    return secret


def _hostile_manifest(name_of: Callable[[Path], str]):
    def prepare(tmp: Path, folder: Path) -> None:
        secret = _outside_file(tmp)
        m = json.loads((folder / "_manifest.json").read_text())
        m["files"].append({"name": name_of(secret), "rows": 1, "sha256": hashlib.sha256(secret.read_bytes()).hexdigest()})
        (folder / "_manifest.json").write_text(json.dumps(m))
    return prepare


def _symlink_out(tmp: Path, folder: Path) -> None:
    secret = _outside_file(tmp)
    (folder / "part-00001.jsonl.gz").symlink_to(secret)
    m = json.loads((folder / "_manifest.json").read_text())
    m["files"].append({"name": "part-00001.jsonl.gz", "rows": 1, "sha256": hashlib.sha256(secret.read_bytes()).hexdigest()})
    (folder / "_manifest.json").write_text(json.dumps(m))


def _manifest_symlink_out(tmp: Path, folder: Path) -> None:
    outside = tmp / "outside" / "_manifest.json"
    outside.parent.mkdir(exist_ok=True)
    outside.write_text((folder / "_manifest.json").read_text())
    (folder / "_manifest.json").unlink()
    (folder / "_manifest.json").symlink_to(outside)


def _rewrite_manifest(**changes):
    def prepare(tmp: Path, folder: Path) -> None:
        m = json.loads((folder / "_manifest.json").read_text())
        m.update(changes)
        (folder / "_manifest.json").write_text(json.dumps(m))
    return prepare


def _garble_manifest(tmp: Path, folder: Path) -> None:
    (folder / "_manifest.json").write_text('{"source": "dvcqg_hoso", "files": [')


def _not_delivered(tmp: Path, folder: Path) -> None:
    (folder / "part-00000.jsonl.gz").unlink()


FILE_REJECTED = "(whole file) rejected"
CASES: dict[str, Case] = {
    # --- the contract's list -------------------------------------------------------------
    "non_json_line": Case(three('{"MaHoSo": "H44.07-260315-00002", "ChuHoSo": {"HoTen": "' + NAME + '", "SoDienT'),
                          "not valid JSON", 2, None, [(2, None)], 2),
    "missing_required_field": Case(three(good(2, MaTTHC=None)), "required field MaTTHC is missing", 2, "MaTTHC",
                                   [(2, "MaTTHC")], 2),
    "unknown_unit": Case(three(good(2, MaCoQuan="H99.01")), "unknown unit H99.01", 2, "MaCoQuan", [(2, "MaCoQuan")], 2),
    "unknown_procedure": Case(three(good(2, MaTTHC="9.999999")), "unknown procedure 9.999999", 2, "MaTTHC",
                              [(2, "MaTTHC")], 2),
    "status_outside_code_list": Case(three(good(2, TrangThaiHoSo=11)), "TrangThaiHoSo 11 is outside its code list",
                                     2, "TrangThaiHoSo", [(2, "TrangThaiHoSo")], 2),
    "channel_outside_code_list": Case(three(good(2, KenhThucHien=4)), "KenhThucHien 4 is outside its code list",
                                      2, "KenhThucHien", [(2, "KenhThucHien")], 2),
    "unparseable_date": Case(three(good(2, NgayTiepNhan="2026-03-15 08:30")), "NgayTiepNhan is not a date-time",
                             2, "NgayTiepNhan", [(2, "NgayTiepNhan")], 2),
    "date_runs_backwards": Case(three(good(2, NgayTiepNhan="20260316113000", NgayKetThucXuLy=None)),
                                "dates run backwards: NgayTiepNhan 20260316113000 is after NgayTra", 2, "NgayTra",
                                [(2, "NgayTra")], 2),
    "same_version_twice": Case([good(1), good(1), good(3)], "1 duplicate versions dropped", loaded=2),
    "nfd_next_to_nfc": Case(three(good(2, ChuHoSo={**OWNER, "HoTen": "Tra\u0300n Va\u0306n Xuyenplant"})),
                            "3 rows loaded, 0 quarantined", loaded=3),
    "truncated_gzip": Case(gz_lines([good(i) for i in range(1, 40)])[:300], "truncated or corrupt gzip",
                           quarantined=[(None, None)], rejected=True, kw={"rows": 39}),
    "checksum_mismatch": Case([good(1), good(2)], "does not match the manifest's", quarantined=[(None, None)],
                              rejected=True, kw={"sha": "0" * 64}),
    "row_count_mismatch": Case([good(1), good(2)], "2 rows in the file, 5 in the manifest", quarantined=[(None, None)],
                               rejected=True, kw={"rows": 5}),
    "csv_renamed_header": Case(["\ufeff" + VNPT_HEADER.replace("Mã đơn vị", "Ma don vi"), VNPT_ROW],
                               "header does not match mapping agency_mappings/vnpt.json: missing ['Mã đơn vị']",
                               field="Mã đơn vị", quarantined=[(None, "Mã đơn vị")], rejected=True,
                               source="agency_vnpt", kw={"csv": True}),
    "listed_not_delivered": Case([good(1)], "listed in the manifest but not delivered", quarantined=[(None, None)],
                                 rejected=True, prepare=_not_delivered),
    "json_but_not_an_object": Case(three(f'["{NAME}", "{CITIZEN}"]'), "line is a JSON value but not an object",
                                   2, None, [(2, None)], 2),
    "list_sent_as_object": Case(three(good(2, DanhSachLePhi={"Gia": 1})), "DanhSachLePhi is not a JSON", 2,
                                "DanhSachLePhi", [(2, "DanhSachLePhi")], 2),
    "unreadable_manifest": Case([good(1)], "unreadable manifest", quarantined=[(None, None)], rejected=True,
                                prepare=_garble_manifest),
    "manifest_of_another_night": Case([good(1)], "differs from folder", quarantined=[(None, None)], rejected=True,
                                      prepare=_rewrite_manifest(extract_date="2026-03-14")),
    # --- beyond those: manifests that reach outside their night ----------------------------
    "manifest_name_climbs_out": Case([good(1)], "entry '../../../outside/x.jsonl.gz' is a path",
                                     quarantined=[(None, None)] * 2, rejected=True,
                                     prepare=_hostile_manifest(lambda p: "../../../outside/x.jsonl.gz")),
    "manifest_name_absolute": Case([good(1)], "is an absolute path, not a plain file name",
                                   quarantined=[(None, None)] * 2, rejected=True,
                                   prepare=_hostile_manifest(lambda p: str(p))),
    "manifest_name_in_subfolder": Case([good(1)], "entry 'sub/x.jsonl.gz' is a path", quarantined=[(None, None)] * 2,
                                       rejected=True, prepare=_hostile_manifest(lambda p: "sub/x.jsonl.gz")),
    "symlink_leading_out": Case([good(1)], "entry 'part-00001.jsonl.gz' is a symbolic link leading outside",
                                quarantined=[(None, None)] * 2, rejected=True, prepare=_symlink_out),
    "manifest_is_a_symlink_out": Case([good(1)], "the manifest is a symbolic link leading outside",
                                      quarantined=[(None, None)], rejected=True, prepare=_manifest_symlink_out),
    # --- personal fields in unexpected shapes ----------------------------------------------------
    "owner_as_plain_string": Case(three(good(2, ChuHoSo=f"{NAME}, {PHONE}, Hội An")),
                                  "ChuHoSo is not a JSON STRUCT(HoTen VARCHAR, SoDienThoai VARCHAR, DiaChi VARCHAR): "
                                  "got a string (personal data, not shown)", 2, "ChuHoSo", [(2, "ChuHoSo")], 2),
    "identity_as_bare_number": Case(three(good(2, DinhDanhCHS=int(CITIZEN))), "got a number (personal data, not shown)",
                                    2, "DinhDanhCHS", [(2, "DinhDanhCHS")], 2),
    "owner_as_array": Case(three(good(2, ChuHoSo=[NAME, PHONE])), "got an array", 2, "ChuHoSo", [(2, "ChuHoSo")], 2),
    "escaped_field_name": Case(three(_escape_key(json.dumps(good(2, TrangThaiHoSo=42)))),
                               "TrangThaiHoSo 42 is outside its code list", 2, "TrangThaiHoSo",
                               [(2, "TrangThaiHoSo")], 2),
    "personal_field_in_an_unknown_place": Case(three(good(2, TrangThaiHoSo=0, GhiChu={"NguoiNop": {"HoTen": NAME,
                                                                                                   "SoDienThoai": PHONE}})),
                                               "TrangThaiHoSo 0 is outside", 2, "TrangThaiHoSo",
                                               [(2, "TrangThaiHoSo")], 2),
    "id_and_phone_in_free_text": Case(three(good(2, DanhSachLePhi=[{"MaPhiLePhi": "LP1", "TenPhiLePhi":
                                                                    f"Lệ phí CCCD {CITIZEN} ĐT 0987 654 321",
                                                                    "Gia": 2000, "HinhThucThu": "1"}])),
                                      "3 rows loaded, 0 quarantined", loaded=3),
    # --- implausible values: quarantined, never coerced -------------------------------------------
    "received_in_2099": Case(three(good(2, NgayTiepNhan="20990315083000", NgayKetThucXuLy=None, NgayTra=None)),
                             "NgayTiepNhan 20990315083000 is later than the extract window allows", 2, "NgayTiepNhan",
                             [(2, "NgayTiepNhan")], 2),
    "submitted_before_2000": Case(three(good(2, NgayNopHoSo="19990101080000")), "NgayNopHoSo 19990101080000 is before 2000",
                                  2, "NgayNopHoSo", [(2, "NgayNopHoSo")], 2),
    "negative_fee": Case(three(good(2, DanhSachLePhi=[{"MaPhiLePhi": "LP1", "TenPhiLePhi": "Lệ phí", "Gia": -2000,
                                                       "HinhThucThu": "1"}])),
                         "DanhSachLePhi has a negative fee: Gia -2000", 2, "DanhSachLePhi", [(2, "DanhSachLePhi")], 2),
    "fractional_fee": Case(three(good(2, DanhSachLePhi=[{"MaPhiLePhi": "LP1", "TenPhiLePhi": "Lệ phí", "Gia": 2000.5,
                                                         "HinhThucThu": "1"}])),
                           "not a whole number of VND", 2, "DanhSachLePhi", [(2, "DanhSachLePhi")], 2),
    "procedure_code_as_number": Case(three(json.dumps(good(2)).replace('"MaTTHC": "1.005129"', '"MaTTHC": 1.005120')),
                                     "MaTTHC must be a JSON string, got a number 1.00512", 2, "MaTTHC",
                                     [(2, "MaTTHC")], 2),
    "status_as_fraction": Case(three(good(2, TrangThaiHoSo=10.5)), "TrangThaiHoSo is not an integer: 10.5", 2,
                               "TrangThaiHoSo", [(2, "TrangThaiHoSo")], 2),
    # --- encodings, empty files and nights ---------------------------------------------------------
    "csv_in_utf16": Case(("\ufeff" + VNPT_HEADER + "\n" + VNPT_ROW + "\n").encode("utf-16"),
                         "encoding problem: the file is UTF-16 (little-endian", quarantined=[(None, None)],
                         rejected=True, source="agency_vnpt", kw={"name": "part-00000.csv", "rows": 1}),
    "csv_in_windows_1258": Case(cp1258(VNPT_HEADER + "\n" + VNPT_ROW + "\n"),
                                "encoding problem: not valid UTF-8 (byte 0x", quarantined=[(None, None)],
                                rejected=True, source="agency_vnpt", kw={"name": "part-00000.csv", "rows": 1}),
    "jsonl_in_windows_1258": Case(gzip.compress(cp1258(json.dumps(good(1), ensure_ascii=False) + "\n"), mtime=0),
                                  "reads as Windows-1258", quarantined=[(None, None)], rejected=True, kw={"rows": 1}),
    "empty_file": Case(b"", "0 rows loaded, 0 quarantined, 0 duplicate versions dropped (an empty file)",
                       kw={"rows": 0}),
    "empty_csv": Case(b"", "0 rows loaded, 0 quarantined, 0 duplicate versions dropped (an empty file)",
                      source="agency_vnpt", kw={"name": "part-00000.csv", "rows": 0}),
    "night_with_no_files": Case([], "the manifest lists no files: an empty night", prepare=_rewrite_manifest(files=[])),
}


def _all_text(con) -> str:
    """Every value of every table of the warehouse, as one text (for the personal-data scan)."""
    tables = con.execute("""select table_schema || '.' || table_name, list(column_name)
                            from information_schema.columns group by all""").fetchall()
    parts = []
    for table, cols in tables:
        cells = " || '|' || ".join(f"coalesce(\"{c}\"::varchar, '')" for c in cols)
        parts += [r[0] for r in con.execute(f"select {cells} from {table}").fetchall()]
    return "\n".join(parts)


@pytest.mark.parametrize("case", CASES)
def test_hostile_or_broken_input(tmp_path, case):
    c = CASES[case]
    landing = tmp_path / "landing"
    reference_night(landing)
    content = c.content
    if isinstance(content, bytes):
        c.kw.setdefault("rows", None)
    path = write_night(landing, c.source, NIGHT, content, **c.kw)
    if c.prepare:
        c.prepare(tmp_path, path.parent)
    con = connect(None)
    summary = load_all(con, landing, KEY)[c.source]
    rel = f"{c.source}/{NIGHT}/{path.name}"

    # the message: source, file, line and field, and what is wrong
    if c.rejected:
        hits = [m for m in summary.messages if FILE_REJECTED in m and c.message in m]
        assert hits, summary.messages
        assert hits[0].startswith(f"{c.source} {c.source}/{NIGHT}/")
        assert f'svcindex waive --source {c.source} --night {NIGHT} --reason "..."' in hits[0]
        assert "re-delivers night" in hits[0]
        assert summary.rejections and summary.files_loaded == 0
    elif c.line:
        where = f"{c.source} {rel} line {c.line}" + (f" field {c.field}:" if c.field else ":")
        assert any(m.startswith(where) and c.message in m for m in summary.messages), summary.messages
    else:
        assert any(c.message in m for m in summary.messages), summary.messages

    # the quarantine rows, the loaded rows, the load log
    rows = con.execute("select line_no, field from raw.quarantine where source = ? order by line_no nulls first, field",
                       [c.source]).fetchall()
    assert rows == c.quarantined
    table = "raw.agency_hoso" if c.source.startswith("agency_") else f"raw.{c.source}"
    assert con.execute(f"select count(*) from {table}").fetchone()[0] == c.loaded
    statuses = {s for (s,) in con.execute("select status from raw.load_log where source = ?", [c.source]).fetchall()}
    if c.rejected:
        assert statuses == {"rejected"}
        assert con.execute("select count(*) from raw.rejected_files where source = ? and night = ?",
                           [c.source, NIGHT]).fetchone()[0] >= 1
    else:
        assert "rejected" not in statuses

    # nothing outside the night folder was read, and no personal data anywhere
    stored = _all_text(con) + "\n".join(summary.messages)
    leaked = [p for p in PLANTED if p in stored]
    assert not leaked, leaked
    assert "H44.07-260315-00007" not in stored          # the dossier of the file outside landing/


def test_a_quarantined_line_keeps_its_text_with_personal_fields_hashed(tmp_path):
    landing = tmp_path / "landing"
    reference_night(landing)
    write_night(landing, "dvcqg_hoso", NIGHT, three(good(2, ChuHoSo=f"{NAME}, {PHONE}", TrangThaiHoSo=0)))
    con = connect(None)
    load_all(con, landing, KEY)
    text = con.execute("select any_value(raw_text) from raw.quarantine").fetchone()[0]
    hashed = con.execute("select pii_hash(?)", [f"{NAME}, {PHONE}"]).fetchone()[0]
    assert f'"ChuHoSo":"{hashed}"' in text
    assert '"MaHoSo": "H44.07-260315-00002"' in text and '"TrangThaiHoSo": 0' in text


def _deliver(landing: Path, night: str, records: list, name: str = "part-00000.jsonl.gz", extra: list | None = None):
    folder = write_night(landing, "dvcqg_hoso", night, records, name=name).parent
    if extra is not None:
        m = json.loads((folder / "_manifest.json").read_text())
        for rname, recs in extra:
            data = gz_lines(recs)
            (folder / rname).write_bytes(data)
            m["files"].append({"name": rname, "rows": len(recs), "sha256": hashlib.sha256(data).hexdigest()})
        (folder / "_manifest.json").write_text(json.dumps(m))


def test_a_corrected_redelivery_replaces_the_earlier_one(tmp_path):
    landing = tmp_path / "landing"
    reference_night(landing)
    _deliver(landing, NIGHT, [good(1), good(2, TrangThaiHoSo=0)], extra=[("part-00001.jsonl.gz", [good(5)])])
    con = connect(tmp_path)
    first = load_all(con, landing, KEY)["dvcqg_hoso"]
    assert (first.rows_loaded, first.rows_quarantined) == (2, 1)
    old = hashlib.sha256((landing / "dvcqg_hoso" / NIGHT / "part-00000.jsonl.gz").read_bytes()).hexdigest()

    # the same night again: same file name, new bytes, new manifest (and part-00001 no longer listed)
    os.remove(landing / "dvcqg_hoso" / NIGHT / "part-00001.jsonl.gz")
    _deliver(landing, NIGHT, [good(1, TrangThaiHoSo=4), good(2), good(3)])
    new = hashlib.sha256((landing / "dvcqg_hoso" / NIGHT / "part-00000.jsonl.gz").read_bytes()).hexdigest()
    again = load_all(con, landing, KEY)["dvcqg_hoso"]

    assert (again.rows_loaded, again.rows_retracted, again.files_loaded) == (3, 2, 1)
    assert con.execute("select list(MaHoSo || ':' || TrangThaiHoSo order by MaHoSo) from raw.dvcqg_hoso").fetchone()[0] == [
        "H44.07-260315-00001:4", "H44.07-260315-00002:10", "H44.07-260315-00003:10"]
    assert con.execute("select count(*) from raw.quarantine where source = 'dvcqg_hoso'").fetchone()[0] == 0
    log = con.execute("""select file_name, status, file_sha256, replaces_sha256, rows_retracted, message
                         from raw.load_log where source = 'dvcqg_hoso' order by loaded_at, file_name""").fetchall()
    by_status = {(r[0].rsplit("/", 1)[1], r[1]): r for r in log}
    correction = by_status[("part-00000.jsonl.gz", "loaded")]
    assert (correction[2], correction[3], correction[4]) == (new, old, 1)
    assert correction[5].startswith(f"correction: replaces the delivery with sha256 {old} by sha256 {new}")
    assert ("part-00000.jsonl.gz", "superseded") in by_status
    assert by_status[("part-00001.jsonl.gz", "retracted")][4] == 1
    assert any(m.startswith("dvcqg_hoso dvcqg_hoso/2026-03-15/part-00000.jsonl.gz: correction:") for m in again.messages)

    # delivered once more unchanged: nothing happens
    third = load_all(con, landing, KEY)["dvcqg_hoso"]
    assert (third.files_skipped, third.rows_loaded, third.rows_retracted) == (1, 0, 0)


def test_a_rejected_night_is_answered_by_a_redelivery(tmp_path):
    landing = tmp_path / "landing"
    reference_night(landing)
    write_night(landing, "dvcqg_hoso", NIGHT, [good(1)], sha="0" * 64)
    con = connect(tmp_path)
    assert load_all(con, landing, KEY)["dvcqg_hoso"].files_rejected == 1
    assert con.execute("select file, reason like 'sha256 % does not match%' from raw.rejected_files").fetchall() == [
        (f"dvcqg_hoso/{NIGHT}/part-00000.jsonl.gz", True)]
    write_night(landing, "dvcqg_hoso", NIGHT, [good(1)])
    assert load_all(con, landing, KEY)["dvcqg_hoso"].rows_loaded == 1
    assert con.execute("select count(*) from raw.rejected_files").fetchone()[0] == 0


def test_a_night_rejected_for_a_hostile_manifest_is_answered_by_a_clean_one(tmp_path):
    landing = tmp_path / "landing"
    reference_night(landing)
    folder = write_night(landing, "dvcqg_hoso", NIGHT, [good(1)]).parent
    _hostile_manifest(lambda p: "../../../outside/x.jsonl.gz")(tmp_path, folder)
    con = connect(tmp_path)
    assert load_all(con, landing, KEY)["dvcqg_hoso"].files_rejected == 2
    assert con.execute("select count(*) from raw.rejected_files where night = ?", [NIGHT]).fetchone()[0] == 2
    write_night(landing, "dvcqg_hoso", NIGHT, [good(1)])          # the sender's corrected manifest
    assert load_all(con, landing, KEY)["dvcqg_hoso"].rows_loaded == 1
    assert con.execute("select count(*) from raw.rejected_files").fetchone()[0] == 0
