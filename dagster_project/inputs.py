"""What a publication was built from, so that a run with nothing new publishes nothing.

The fingerprint covers everything that can change a published byte other than the clock: the
landing nights of the run (each manifest's bytes and every file's name, size and mtime — a
re-delivery changes them), the rulebook seeds, the dbt models and macros, the expectation suites,
the pipeline's own code, the operator waivers, and the run's options (rule version, as-of date,
nights). It is stored with the publication (publication_log.inputs); a run whose fingerprint
equals the last publication's stops before touching the warehouse and says so.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, PROJECT_ROOT, SEEDS_DIR, Home

INPUTS_TAG = "svcindex/inputs"
CODE_DIRS = (SEEDS_DIR, DBT_PROJECT_DIR / "models", DBT_PROJECT_DIR / "macros", EXPECTATIONS_DIR,
             PROJECT_ROOT / "dagster_project")
CODE_SUFFIXES = {".csv", ".sql", ".yml", ".yaml", ".json", ".py", ".md"}


def _night_folders(landing: Path, first: str, last: str) -> list[Path]:
    return sorted(m.parent for m in landing.glob("*/*/_manifest.json") if first <= m.parent.name <= last)


def inputs_fingerprint(h: Home, nights: tuple[str, str], rule_version: str, as_of_date: str | None) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps({"nights": list(nights), "rule_version": rule_version, "as_of": as_of_date}).encode())
    for folder in _night_folders(h.landing, *nights):
        digest.update(str(folder.relative_to(h.landing)).encode())
        digest.update((folder / "_manifest.json").read_bytes())
        for f in sorted(folder.iterdir()):
            if f.is_file():
                st = f.stat()
                digest.update(f"{f.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    for root in CODE_DIRS:
        for f in sorted(p for p in root.rglob("*") if p.suffix in CODE_SUFFIXES and "__pycache__" not in p.parts):
            digest.update(str(f.relative_to(PROJECT_ROOT)).encode())
            digest.update(f.read_bytes())
    digest.update(json.dumps(_waivers(h), default=str).encode())
    return digest.hexdigest()


def _waivers(h: Home) -> list:
    if not h.warehouse.exists():
        return []
    from .warehouse import connection

    with connection(h.warehouse, read_only=True) as con:
        exists = con.execute("select count(*) from information_schema.tables "
                             "where table_schema = 'ops' and table_name = 'waivers'").fetchone()[0]
        return con.execute("select source, night, reason, waived_by, waived_at from ops.waivers "
                           "order by all").fetchall() if exists else []


@dataclass
class NothingNew:
    """What run_nightly returns when the last publication already has these inputs."""
    since: str          # the last night the publication covers
    run_id: str         # the publication's run
    as_of_date: str
    success: bool = True

    def __str__(self) -> str:
        return (f"nothing new since {self.since}: the published file (as of {self.as_of_date}, run {self.run_id}) "
                "already has these nights, rulebook and options; nothing was run or published")


def nothing_new(h: Home, inputs: str, nights: tuple[str, str]) -> NothingNew | None:
    """NothingNew if the last publication was built from exactly these inputs and is still in place."""
    if not (h.warehouse.exists() and h.published.exists()):
        return None
    from .warehouse import connection

    with connection(h.warehouse, read_only=True) as con:
        has_column = con.execute("select count(*) from information_schema.columns where table_schema = 'ops' "
                                 "and table_name = 'publication_log' and column_name = 'inputs'").fetchone()[0]
        if not has_column:
            return None
        last = con.execute("select run_id, as_of_date::varchar, inputs from ops.publication_log "
                           "order by published_at desc limit 1").fetchone()
    if not last or last[2] != inputs:
        return None
    return NothingNew(since=nights[1], run_id=last[0], as_of_date=last[1])
