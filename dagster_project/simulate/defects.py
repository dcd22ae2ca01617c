"""Defect classes: deterministic bad input the loaders must survive (spec/extracts.md, last section).

Where each lands (N0 = the first night, N1/N2 the next ones, clamped to the last night):

- line defects, each on its own line of `dvcqg_hoso`, in the first night whose file has at least
  LINE_DEFECT_MIN_LINES lines (so two-province demo runs still get them):
  `non_json_line` (the line cut in half), `missing_required_field` (TrangThaiHoSo removed),
  `unknown_unit` (MaCoQuan `H99.999`), `unknown_procedure` (MaTTHC `9.999999`),
  `status_out_of_range` (TrangThaiHoSo 42), `channel_out_of_range` (KenhThucHien 7),
  `bad_date` (NgayTiepNhan `20261345256199`), `backwards_date` (NgayTiepNhan two days after
  NgayTra, on a returned dossier), `duplicate_version` (the line repeated right after itself),
  `nfd_text` (ChuHoSo.HoTen and DiaChi in decomposed Unicode; also TenTTHC, MucDoDVC and
  DonViThoiHan of three procedures in `csdl_tthc` N0);
- `renamed_csv_header`: the first agency system's CSV of N0 has one header renamed;
- `truncated_gzip`: `dvcqg_dvctt` N1 cut at 60 % of its bytes (manifest sha256 matches the cut
  file, rows are those written, so only the gzip stream is broken);
- `checksum_mismatch`: `csdl_tthc` N2's manifest records a wrong sha256 and one row too many.
The two whole-file defects hit snapshot sources (never empty) so they never swallow the line
defects; the night before keeps a good snapshot.

Manifests of the line and header defects match their (defective) files.
"""
from __future__ import annotations

import gzip
import json
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from .landing import Written

LINE_DEFECTS = ("non_json_line", "missing_required_field", "unknown_unit", "unknown_procedure", "status_out_of_range",
                "channel_out_of_range", "bad_date", "backwards_date", "duplicate_version", "nfd_text")
DEFECT_CLASSES: tuple[str, ...] = ("truncated_gzip", *LINE_DEFECTS, "renamed_csv_header", "checksum_mismatch")
LINE_DEFECT_MIN_LINES = 2 * len(LINE_DEFECTS)
RENAMED_HEADERS = {"Ngày hẹn trả": "Hạn xử lý", "HanTraKetQua": "HanXuLy"}


def _nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def _dump(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _read_lines(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return f.read().splitlines()


def _write_lines(path: Path, lines: list[str]) -> None:
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))


def _break_line(kind: str, line: str) -> list[str]:
    if kind == "non_json_line":
        return [line[: len(line) // 2]]
    if kind == "duplicate_version":
        return [line, line]
    row = json.loads(line)
    if kind == "missing_required_field":
        del row["TrangThaiHoSo"]
    elif kind == "unknown_unit":
        row["MaCoQuan"] = "H99.999"
    elif kind == "unknown_procedure":
        row["MaTTHC"] = "9.999999"
    elif kind == "status_out_of_range":
        row["TrangThaiHoSo"] = 42
    elif kind == "channel_out_of_range":
        row["KenhThucHien"] = 7
    elif kind == "bad_date":
        row["NgayTiepNhan"] = "20261345256199"
    elif kind == "backwards_date":
        returned = date(int(row["NgayTra"][:4]), int(row["NgayTra"][4:6]), int(row["NgayTra"][6:8]))
        row["NgayTiepNhan"] = (returned + timedelta(days=2)).strftime("%Y%m%d") + row["NgayTra"][8:]
    elif kind == "nfd_text":
        row["ChuHoSo"]["HoTen"] = _nfd(row["ChuHoSo"]["HoTen"])
        row["ChuHoSo"]["DiaChi"] = _nfd(row["ChuHoSo"]["DiaChi"])
    return [_dump(row)]


def _inject_line_defects(path: Path, kinds: list[str]) -> int | None:
    """Each defect on its own line (the i-th defect on the (2i+1)-th line; backwards_date on a
    returned dossier). Returns the new row count, or None when the file is too small."""
    lines = _read_lines(path)
    if len(lines) < LINE_DEFECT_MIN_LINES:
        return None
    returned = [i for i, line in enumerate(lines) if '"TrangThaiHoSo":10' in line]
    if "backwards_date" in kinds and not returned:
        return None
    targets: dict[int, str] = {}
    for i, kind in enumerate(kinds):
        idx = 2 * i + 1
        if kind == "backwards_date":
            idx = next((j for j in returned if j not in targets), None)
            if idx is None:
                return None
        targets[idx] = kind
    out: list[str] = []
    for i, line in enumerate(lines):
        out.extend(_break_line(targets[i], line) if i in targets else [line])
    _write_lines(path, out)
    return len(out)


def _nfd_catalogue(path: Path) -> int:
    lines = _read_lines(path)
    for i in range(min(3, len(lines))):
        row = json.loads(lines[i])
        for field in ("TenTTHC", "MucDoDVC", "DonViThoiHan"):
            row[field] = _nfd(row[field])
        lines[i] = _dump(row)
    _write_lines(path, lines)
    return len(lines)


def _rename_header(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    header, rest = text.split("\n", 1)
    for old, new in RENAMED_HEADERS.items():
        header = header.replace(old, new)
    path.write_bytes((header + "\n" + rest).encode("utf-8"))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: max(1, int(len(data) * 0.6))])


def apply_defects(landing: Path, source: str, night: date, start: date, end: date, written: list[Written],
                  defects: Sequence[str], state: dict) -> bool:
    """Inject the requested defects that land in this source's night (files already written).
    `state` remembers across nights which line defects are done. Returns True when the manifest
    must be tampered with (checksum_mismatch)."""
    wanted = set(defects)
    if not wanted:
        return False
    n1, n2 = min(start + timedelta(days=1), end), min(start + timedelta(days=2), end)
    f = written[0]
    if source == "dvcqg_hoso":
        pending = [k for k in LINE_DEFECTS if k in wanted and k not in state.setdefault("done", set())]
        if pending and not state.get("lines_done"):
            rows = _inject_line_defects(f.path, pending)
            if rows is not None:
                f.rows = rows
                state["done"].update(pending)
                state["lines_done"] = True
        return False
    if source == "dvcqg_dvctt" and "truncated_gzip" in wanted and night == n1:
        _truncate(f.path)
    if source == "csdl_tthc":
        if "nfd_text" in wanted and night == start:
            f.rows = _nfd_catalogue(f.path)
        return "checksum_mismatch" in wanted and night == n2
    if source.startswith("agency_") and "renamed_csv_header" in wanted and night == start and not state.get("renamed"):
        _rename_header(f.path)
        state["renamed"] = True
    return False
