"""The landing contract on disk: night folders, manifests, and a file's lines.

A night folder `<landing>/<source>/<YYYY-MM-DD>/` is complete once `_manifest.json` exists
(it is written last). A file's bytes become an Arrow table (line_no, line) without a Python
loop over lines: newline positions come from numpy and the string array is built on the
decompressed buffer itself, so line numbers are exact and DuckDB does the rest.
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import json
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

MANIFEST = "_manifest.json"
BOM = b"\xef\xbb\xbf"


class FileRejected(Exception):
    """The whole file is refused (checksum, row count, gzip, header); the message says why."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ManifestFile:
    name: str
    rows: int | None
    sha256: str | None


@dataclass(frozen=True)
class Night:
    source: str
    folder: Path
    extract_date: date
    files: tuple[ManifestFile, ...]
    problem: str | None = None       # manifest unreadable or inconsistent: every file rejected


def nights(landing: Path, source: str) -> tuple[list[Night], list[str]]:
    """Complete nights of a source in date order, and messages about incomplete ones."""
    root = landing / source
    found: list[Night] = []
    notes: list[str] = []
    if not root.is_dir():
        return found, notes
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        try:
            folder_date = date.fromisoformat(folder.name)
        except ValueError:
            notes.append(f"{source}/{folder.name}: not a YYYY-MM-DD night folder, ignored")
            continue
        if not (folder / MANIFEST).exists():
            notes.append(f"{source}/{folder.name}: no {MANIFEST} yet, night incomplete, not loaded")
            continue
        night = _read_manifest(source, folder, folder_date)
        listed = {f.name for f in night.files} | {MANIFEST}
        notes += [f"{source}/{folder.name}/{p.name}: not in the manifest, ignored"
                  for p in sorted(folder.iterdir()) if p.name not in listed and not p.name.startswith(".")]
        found.append(night)
    return found, notes


def _read_manifest(source: str, folder: Path, folder_date: date) -> Night:
    where = f"{source}/{folder.name}/{MANIFEST}"
    try:
        m = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = tuple(
            ManifestFile(str(f["name"]), _opt_int(f.get("rows")), f.get("sha256"))
            for f in m.get("files", [])
        )
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        listed = tuple(ManifestFile(p.name, None, None) for p in sorted(folder.iterdir()) if p.name != MANIFEST)
        return Night(source, folder, folder_date, listed, f"{where}: unreadable manifest ({e})")
    problem = None
    if m.get("source") not in (None, source):
        problem = f"{where}: manifest is for source {m.get('source')!r}, not {source!r}"
    elif m.get("extract_date") not in (None, folder.name):
        problem = f"{where}: manifest extract_date {m.get('extract_date')!r} differs from folder {folder.name}"
    return Night(source, folder, folder_date, files, problem)


def _opt_int(v) -> int | None:
    return None if v is None else int(v)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def read_bytes(path: Path) -> bytes:
    """The file's content, decompressed if .gz; a truncated or corrupt gzip rejects the file."""
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as e:
            raise FileRejected(f"truncated or corrupt gzip ({e})") from None
    return data[len(BOM):] if data.startswith(BOM) else data


def lines_table(data: bytes) -> tuple[pa.Table, str | None]:
    """(line_no, line) for every line; each line keeps its newline (SQL trims it).

    Invalid UTF-8 is replaced by U+FFFD (and reported) rather than failing the file.
    """
    note = None
    arr = _string_array(data)
    try:
        arr.validate(full=True)
    except pa.ArrowInvalid:
        data = data.decode("utf-8", errors="replace").encode("utf-8")
        arr = _string_array(data)
        note = "invalid UTF-8 bytes replaced by U+FFFD"
    return pa.table({"line_no": pa.array(np.arange(1, len(arr) + 1, dtype=np.int64)), "line": arr}), note


def _string_array(data: bytes) -> pa.Array:
    nl = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    ends = nl + 1
    if len(data) and (not len(nl) or nl[-1] != len(data) - 1):
        ends = np.append(ends, len(data))          # last line without a newline
    offsets = np.concatenate([[0], ends]).astype(np.int64)
    return pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data))


def split_header(data: bytes, delimiter: str) -> tuple[list[str], bytes]:
    """The CSV header (NFC, trimmed) and the remaining bytes (data lines)."""
    cut = data.find(b"\n")
    head, rest = (data, b"") if cut < 0 else (data[:cut], data[cut + 1:])
    text = head.decode("utf-8", errors="replace").rstrip("\r")
    names = next(csv.reader([text], delimiter=delimiter), [])
    return [unicodedata.normalize("NFC", n).strip() for n in names], rest
