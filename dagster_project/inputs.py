"""What a publication was built from, so that a run with nothing new publishes nothing.

The fingerprint covers everything that can change a published byte other than the clock: every
landed night up to the run's last (each manifest's bytes and every file's name, size and mtime —
a re-delivery changes them), the rulebook seeds, the dbt models and macros, the expectation
suites, the pipeline's own code, the operator waivers, and the run's options (rule version, as-of
date, an explicit --nights). It is stored with the publication (publication_log.inputs); a run
whose fingerprint equals the last publication's stops before touching the warehouse and says so.
All of this is read without importing Dagster or dbt (seconds), so "nothing new" answers at once.

`nights_to_ingest` is the other half: of the landed nights, those whose manifest the load log does
not yet account for (new, re-delivered, or held back), so a run's ingest covers only them.
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


def nights_every_source_delivered(landing: Path) -> list[str]:
    """Nights for which every source under landing/ has a manifest: a range starting at one gives
    every ingest asset's gate files to look at (a source with no file in its range fails its gate)."""
    by_source: dict[str, set[str]] = {}
    for m in landing.glob("*/*/_manifest.json"):
        by_source.setdefault(m.parent.parent.name, set()).add(m.parent.name)
    return sorted(set.intersection(*by_source.values())) if by_source else []


def _night_folders(landing: Path, first: str, last: str) -> list[Path]:
    return sorted(m.parent for m in landing.glob("*/*/_manifest.json") if first <= m.parent.name <= last)


def inputs_fingerprint(h: Home, last: str, rule_version: str, as_of_date: str | None,
                       nights: tuple[str, str] | None = None) -> str:
    """Every landed night up to `last` (not only the run's range: a run ingests only the nights
    not yet loaded, and the next run with nothing new must find the same fingerprint)."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"last": last, "nights": list(nights) if nights else None,
                              "rule_version": rule_version, "as_of": as_of_date}).encode())
    for folder in _night_folders(h.landing, "", last):
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


def nights_to_ingest(h: Home, landed: list[str]) -> list[str]:
    """The landed nights the load log does not account for yet: a night of some source whose
    manifest lists a file (name and sha256) the log has never seen, whose log still holds a loaded
    file the manifest no longer lists, or that the log has no row for at all. A held-back night
    (a rejected file) stays here until it is re-delivered or waived and run."""
    if not landed:
        return []
    if not h.warehouse.exists():
        return list(landed)
    from .warehouse import connection

    promised = []   # (source/night/, file name or None, manifest sha256 or None)
    for manifest in h.landing.glob("*/*/_manifest.json"):
        prefix = f"{manifest.parent.parent.name}/{manifest.parent.name}/"
        try:
            files = json.loads(manifest.read_bytes()).get("files") or []
            entries = [(prefix, prefix + f["name"], (f.get("sha256") or "").lower() or None) for f in files]
        except (ValueError, TypeError, KeyError, AttributeError):
            entries = [(prefix, None, None)]   # unreadable: the loader says why
        promised += entries or [(prefix, prefix + "_manifest.json", None)]
    with connection(h.warehouse, read_only=True) as con:
        has_log = con.execute("select count(*) from information_schema.tables "
                              "where table_schema = 'raw' and table_name = 'load_log'").fetchone()[0]
        if not has_log:
            return list(landed)
        con.execute("create temp table promised (prefix varchar, file_name varchar, sha256 varchar)")
        con.executemany("insert into promised values (?, ?, ?)", promised)
        stale = con.execute("""
            with log as (select source, file_name, lower(file_sha256) as sha256, status,
                                regexp_extract(file_name, '^([^/]+/[^/]+/)', 1) as prefix from raw.load_log)
            select distinct p.prefix from promised p
            where p.file_name is null
               or not exists (select 1 from log l
                              where (l.file_name = p.file_name
                                     and (p.sha256 is null or l.sha256 = p.sha256 or l.status = 'empty'))
                                 -- the same bytes loaded under another night are skipped by the loader
                                 or (l.sha256 = p.sha256 and l.status = 'loaded'
                                     and l.source = split_part(p.prefix, '/', 1)))
            union
            select distinct l.prefix from log l
            where l.status = 'loaded' and l.prefix in (select prefix from promised)
              and l.file_name not in (select file_name from promised where file_name is not null)""").fetchall()
    nights = {prefix.split("/")[1] for (prefix,) in stale}
    return [n for n in landed if n in nights]
