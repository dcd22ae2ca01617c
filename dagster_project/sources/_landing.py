"""The landing contract on disk: night folders, manifests, and a file's lines.

A night folder `<landing>/<source>/<YYYY-MM-DD>/` is complete once `_manifest.json` exists
(it is written last). A manifest may only name plain files of its own night folder: an entry
with a separator, `..`, an absolute path or a symbolic link leading out rejects the whole night
before anything is opened (the manifest comes from outside and is not trusted). A file's bytes become an Arrow table (line_no, line) without a Python
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
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MANIFEST = "_manifest.json"
BOM = b"\xef\xbb\xbf"
VN = timezone(timedelta(hours=7))      # raw timestamps are naive Vietnam time


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
    problem: str | None = None       # manifest unreadable, inconsistent or unsafe: every file rejected
    window_end: datetime | None = None   # naive Vietnam time; None when the manifest gives none

    @property
    def latest_plausible(self) -> datetime:
        """No event of this night can be later than the window's end plus one day (clock skew,
        late syncs); without a window, the end of the night's date plus one day."""
        end = self.window_end or datetime.combine(self.extract_date, datetime.max.time())
        return end + timedelta(days=1)


def complete_nights(landing: Path, source: str | None = None) -> list[str]:
    """Nights (YYYY-MM-DD) whose manifest has landed, of one source or of any: a manifest is
    written last, so its presence is what makes a night complete. Reads no manifest."""
    pattern = f"{source}/*/{MANIFEST}" if source else f"*/*/{MANIFEST}"
    return sorted({p.parent.name for p in landing.glob(pattern)})


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
        if folder.is_symlink() and folder.resolve().parent != root.resolve():
            found.append(Night(source, folder, folder_date, (ManifestFile(MANIFEST, None, None),),
                               f"{source}/{folder.name}: the night folder is a symbolic link leading outside "
                               f"{source}/; the night is rejected and nothing in it is read"))
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


def outside_reason(folder: Path, name: str) -> str | None:
    """Why `name` is not a plain file of `folder` (None when it is). Only the name and the link
    are looked at (lstat, readlink): nothing is opened."""
    if not name.strip():
        return "is not a file name"
    if name in (".", "..") or any(c in name for c in "/\\\0"):
        kind = "an absolute path" if name.startswith(("/", "\\")) else "a path (separator or '..')"
        return f"is {kind}, not a plain file name of the night folder"
    if name == MANIFEST:
        return "names the manifest itself"
    path = folder / name
    if path.is_symlink() and path.resolve().parent != folder.resolve():
        return "is a symbolic link leading outside the night folder"
    return None


def _read_manifest(source: str, folder: Path, folder_date: date) -> Night:
    where = f"{source}/{folder.name}/{MANIFEST}"
    if (folder / MANIFEST).is_symlink() and (folder / MANIFEST).resolve().parent != folder.resolve():
        return Night(source, folder, folder_date, (ManifestFile(MANIFEST, None, None),),
                     f"{where}: the manifest is a symbolic link leading outside the night folder; not read")
    try:
        m = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        entries = m.get("files", [])
        files = tuple(ManifestFile(f["name"] if isinstance(f["name"], str) else repr(f["name"]),
                                   _opt_int(f.get("rows")), f.get("sha256")) for f in entries)
        window_end = _vietnam_time(m.get("window_end"))
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        # Only names of the folder's own plain files are listed: each is then rejected, none is read.
        listed = tuple(ManifestFile(p.name, None, None) for p in sorted(folder.iterdir()) if p.name != MANIFEST)
        # JSON errors say where; other errors could quote a value, so only their kind is said
        why = str(e) if isinstance(e, json.JSONDecodeError) else f"{type(e).__name__} in its fields"
        return Night(source, folder, folder_date, listed, f"{where}: unreadable manifest ({why})")
    problem = None
    unsafe = [(f.name, why) for f in files if (why := outside_reason(folder, f.name))]
    if unsafe:
        listed = "; ".join(f"entry {name!r} {why}" for name, why in unsafe)
        problem = (f"{where}: {listed}. The whole night is rejected: a manifest may only name files of its own "
                   f"night folder {source}/{folder.name}/, and nothing outside it is opened")
    elif m.get("source") not in (None, source):
        problem = f"{where}: manifest is for source {m.get('source')!r}, not {source!r}"
    elif m.get("extract_date") not in (None, folder.name):
        problem = f"{where}: manifest extract_date {m.get('extract_date')!r} differs from folder {folder.name}"
    return Night(source, folder, folder_date, files, problem, window_end)


def _vietnam_time(value) -> datetime | None:
    """An ISO 8601 instant as naive Vietnam time (the raw tables' clock); None if absent/unreadable."""
    try:
        t = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return (t.astimezone(VN) if t.tzinfo else t).replace(tzinfo=None)


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


def check_encoding(data: bytes) -> None:
    """The contract's files are UTF-8. Another encoding is rejected and named as such, rather than
    misread as a header mismatch or as lines of bad JSON. Validation is Arrow's (no Python loop);
    only a failing file is decoded in Python, to say where and what it looks like."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        order = ("little-endian, byte-order mark FF FE" if head.startswith(b"\xff\xfe") else
                 "big-endian, byte-order mark FE FF" if head.startswith(b"\xfe\xff") else "NUL bytes, no byte-order mark")
        raise FileRejected(f"encoding problem: the file is UTF-16 ({order}), not UTF-8 as the contract requires; "
                           "it must be re-exported as UTF-8")
    whole = pa.LargeStringArray.from_buffers(1, pa.py_buffer(np.array([0, len(data)], dtype=np.int64).tobytes()),
                                             pa.py_buffer(data))
    try:
        whole.validate(full=True)
        return
    except pa.ArrowInvalid:
        pass
    try:
        data.decode("utf-8")
        return
    except UnicodeDecodeError as e:
        at, line = e.start, data.count(b"\n", 0, e.start) + 1
    try:
        data.decode("cp1258")
        guess = "it reads as Windows-1258 (the legacy Vietnamese code page)"
    except UnicodeDecodeError:
        guess = "it is in some other encoding"
    raise FileRejected(f"encoding problem: not valid UTF-8 (byte 0x{data[at]:02X} at offset {at}, line {line} "
                       f"of the decompressed file); {guess}; the contract requires UTF-8, the file must be "
                       "re-exported as UTF-8")


def lines_table(data: bytes) -> pa.Table:
    """(line_no, line) for every line, without its line end (\n, \r\n). `data` has passed
    check_encoding.

    The line ends are trimmed here, by Arrow: DuckDB's rtrim(line, chr(10) || chr(13)) took
    1.4 s of the 5.1 s parse statement of one national dossier night (375 k lines), against
    0.07 s for Arrow's ascii_rtrim (\r and \n are ASCII, so UTF-8 text is trimmed alike)."""
    arr = _string_array(data)
    arr.validate(full=True)
    return pa.table({"line_no": pa.array(np.arange(1, len(arr) + 1, dtype=np.int64)),
                     "line": pc.ascii_rtrim(arr, characters="\r\n")})


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
