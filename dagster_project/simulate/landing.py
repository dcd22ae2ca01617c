"""Writing one night of one source into the landing contract: data file first, manifest last."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import duckdb

SCHEMA_VERSION = "1.0"
SCRATCH = Path("/dev/shm") if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
JSON_PART = "part-00000.jsonl.gz"
CSV_PART = "part-00000.csv"
BOM = "\ufeff".encode()


def night_dir(landing: Path, source: str, night: date) -> Path:
    return landing / source / night.isoformat()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Written:
    name: str
    rows: int
    path: Path


def write_jsonl(con: duckdb.DuckDBPyConnection, query: str, folder: Path) -> Written:
    path = folder / JSON_PART
    # The uncompressed JSON (~1 KB a dossier version) goes through RAM when the machine has a
    # tmpfs: on disk, write-back of gigabytes of scratch dominated the national month.
    plain = SCRATCH / f"svcindex-sim-{os.getpid()}-{threading.get_ident()}.jsonl" if SCRATCH else folder / (JSON_PART + ".plain")
    rows = con.execute(f"copy ({query}) to '{plain}' (format json)").fetchone()[0]
    # gzip level 1 is ~3x faster than DuckDB's built-in gzip; mtime 0 and no file name keep the
    # bytes a function of the rows alone.
    with plain.open("rb") as src, path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=1) as gz:
        shutil.copyfileobj(src, gz, 1 << 22)
    plain.unlink()
    return Written(JSON_PART, rows, path)


def write_csv(con: duckdb.DuckDBPyConnection, query: str, folder: Path, delimiter: str, bom: bool) -> Written:
    path = folder / CSV_PART
    target = folder / (CSV_PART + ".body") if bom else path
    rows = con.execute(
        f"copy ({query}) to '{target}' (format csv, header true, delimiter '{delimiter}', quote '\"', new_line '\\n')"
    ).fetchone()[0]
    if bom:
        with path.open("wb") as out, target.open("rb") as body:
            out.write(BOM)
            shutil.copyfileobj(body, out, 1 << 20)
        target.unlink()
    return Written(CSV_PART, rows, path)


def write_manifest(folder: Path, source: str, night: date, files: list[Written], *, tamper: bool = False) -> Path:
    """The manifest is what says a night is complete, so it is written last (atomically).
    `tamper` is the checksum_mismatch defect: the recorded sha256 and row count are off."""
    start = datetime.combine(night, time(0, 0)).isoformat() + "+07:00"
    end = datetime.combine(night + timedelta(days=1), time(0, 0)).isoformat() + "+07:00"
    entries = []
    for f in files:
        sha = sha256_of(f.path)
        if tamper:
            sha = hashlib.sha256(sha.encode()).hexdigest()
        entries.append({"name": f.name, "rows": f.rows + (1 if tamper else 0), "sha256": sha})
    manifest = {"source": source, "extract_date": night.isoformat(), "window_start": start, "window_end": end,
                "schema_version": SCHEMA_VERSION, "files": entries}
    path = folder / "_manifest.json"
    tmp = folder / "._manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
