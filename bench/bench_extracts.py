"""Benchmark the extract simulator (and optionally ingest) per stage.

    python bench/bench_extracts.py --nights 30 --scale 1            # the national month
    python bench/bench_extracts.py --nights 5 --scale 0.05 --ingest  # + load_all into a fresh warehouse
    python bench/bench_extracts.py --home H --reuse --night 16        # night 16 alone, on top of nights 1-15
    python bench/bench_extracts.py --home H --reuse --ingest --floor  # ingest beside the plain-read floor
    python bench/bench_extracts.py --home H --reuse --start D --night 1 --floor  # night D alone, beside the floor of its files

Each stage runs in its own subprocess, so the peak RSS reported (ru_maxrss of that child, which
is what DuckDB's memory shows up in) belongs to that stage alone. Output goes to --home
(default: a fresh temporary directory, removed afterwards unless --keep).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SIMULATE = """
import json, sys
from datetime import date
from pathlib import Path
from dagster_project.simulate import simulate
a = json.loads(sys.argv[1])
s = simulate(Path(a["landing"]), date.fromisoformat(a["start"]), date.fromisoformat(a["end"]), scale=a["scale"],
             seed=a["seed"], provinces=a["provinces"])
import resource
print(json.dumps({"rows": sum(v["rows"] for v in s.values()), "bytes": sum(v["bytes"] for v in s.values()), "by_source": s,
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

INGEST = """
import json, sys
from pathlib import Path
import duckdb
from dagster_project.settings import duckdb_settings, pii_key
from dagster_project.sources import load_all
a = json.loads(sys.argv[1])
con = duckdb.connect(a["warehouse"], config=duckdb_settings())
res = load_all(con, Path(a["landing"]), pii_key()[0])
con.close()
rows = sum(getattr(v, "rows_loaded", 0) or 0 for v in res.values())
size = sum(p.stat().st_size for p in Path(a["landing"]).rglob("part-*"))
import resource
print(json.dumps({"rows": rows, "bytes": size, "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

# The floor ingest is compared with (issue 11: ingest <= 2x it): the same files read into tables by
# DuckDB's own readers, nothing else -- no contract checks, typing, dedup, quarantine or hashing.
READ_FLOOR = """
import json, sys
from pathlib import Path
import duckdb
from dagster_project.settings import duckdb_settings
a = json.loads(sys.argv[1])
landing = Path(a["landing"])
con = duckdb.connect(a["warehouse"].replace(".duckdb", "_floor.duckdb"), config=duckdb_settings())
rows = size = 0
for source in sorted(d for d in landing.iterdir() if d.is_dir()):
    files = sorted(f for f in source.glob("*/part-*") if not a.get("nights_to_read") or f.parent.name in a["nights_to_read"])
    size += sum(f.stat().st_size for f in files)
    reader = "read_csv" if files[0].suffix == ".csv" else "read_json"
    con.execute(f"create or replace table {source.name} as select * from {reader}(?, union_by_name = true)",
                [[str(f) for f in files]])
    rows += con.execute(f"select count(*) from {source.name}").fetchone()[0]
con.close()
import resource
print(json.dumps({"rows": rows, "bytes": size, "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


# One night on top of the nights before it, as the nightly run sees it: the earlier nights are
# loaded by a separate, untimed process so the timed one's peak memory is the night's alone.
INGEST_NIGHTS = """
import json, sys
from pathlib import Path
import duckdb
from dagster_project import sources
from dagster_project.settings import duckdb_settings, pii_key
a = json.loads(sys.argv[1])
landing = Path(a["landing"])
con = duckdb.connect(a["warehouse"], config=duckdb_settings())
res = [sources.load_source(con, landing, name, pii_key()[0], nights=a["nights_to_load"])
       for name in sources.discover_sources(landing)]
con.close()
size = sum(p.stat().st_size for night in a["nights_to_load"] for p in landing.glob(f"*/{night}/part-*"))
import resource
print(json.dumps({"rows": sum(r.rows_loaded for r in res), "bytes": size,
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def run_stage(name: str, code: str, args: dict) -> dict:
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(args)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"{name} failed:\n{proc.stderr}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"stage": name, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "rows": out["rows"],
            "rows_per_s": round(out["rows"] / wall), "mb_per_s": round(out["bytes"] / 2**20 / wall, 1),
            "bytes_mib": round(out["bytes"] / 2**20, 1), "peak_rss_mib": round(out["maxrss_kib"] / 1024), "detail": out.get("by_source")}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nights", type=int, default=30)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--start", default="2026-03-01")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--provinces", nargs="*", default=None, help="e.g. H44 H55 (default: national)")
    p.add_argument("--ingest", action="store_true", help="also time sources.load_all into a fresh warehouse")
    p.add_argument("--floor", action="store_true", help="also time the plain read of the same files (read_json/read_csv)")
    p.add_argument("--night", type=int, default=None,
                   help="also time ingesting night N (1-based) alone, on top of nights 1..N-1 loaded untimed")
    p.add_argument("--reuse", action="store_true", help="use the landing already under --home (skip simulate)")
    p.add_argument("--home", type=Path, default=None)
    p.add_argument("--keep", action="store_true")
    a = p.parse_args()

    from datetime import date, timedelta

    start = date.fromisoformat(a.start)
    home = a.home or Path(tempfile.mkdtemp(prefix="bench_extracts_"))
    landing = home / "landing"
    args = {"landing": str(landing), "start": str(start), "end": str(start + timedelta(days=a.nights - 1)),
            "scale": a.scale, "seed": a.seed, "provinces": a.provinces, "warehouse": str(home / "bench.duckdb")}
    print(f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; "
          f"nights={a.nights} scale={a.scale} provinces={a.provinces or 'national'}", flush=True)
    results = [] if a.reuse else [run_stage("simulate", SIMULATE, args)]
    if a.night:
        nights = [str(start + timedelta(days=i)) for i in range(a.night)]
        night_args = {**args, "warehouse": str(home / "night.duckdb")}
        Path(night_args["warehouse"]).unlink(missing_ok=True)
        if nights[:-1]:
            run_stage("ingest_before", INGEST_NIGHTS, {**night_args, "nights_to_load": nights[:-1]})
        results.append(run_stage(f"ingest_night_{nights[-1]}", INGEST_NIGHTS, {**night_args, "nights_to_load": nights[-1:]}))
    if a.ingest:
        results.append(run_stage("ingest", INGEST, args))
    if a.floor:  # with --night, the floor reads that night's files only, as the timed ingest does
        results.append(run_stage("read_floor", READ_FLOOR, {**args, "nights_to_read": nights[-1:] if a.night else None}))
    for r in results:
        detail = r.pop("detail")
        print(json.dumps(r))
        if detail:
            for source, s in detail.items():
                print(f"  {source:16s} rows {s['rows']:>11,d}  {s['bytes'] / 2**20:9.1f} MiB")
    if not (a.keep or a.home):
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
