"""One new night's incremental `dbt build`, two checkouts of the project side by side on the same data.

The year (or another size of bench_index.py) is generated once; each checkout builds it in full
with its own models and keeps a copy of that warehouse. Then, --rounds times, each checkout in turn
gets a fresh copy of its warehouse, the same night inserted (bench_index.insert_night: the same
dossiers, the same versions) and builds incrementally, as the pipeline's nightly build does. Every
incremental build is checked against the floor (bench/floor.sql) on every unit; the script prints
wall time, dbt's elapsed time, node seconds by type and the slowest nodes, per checkout and round.

    git worktree add /tmp/before <commit>       # the code to compare with
    .venv/bin/python bench/bench_night_ab.py --checkouts /tmp/before . --size year-quarter --rounds 2

The checkouts share this virtualenv and dbt's vars; each dbt runs in its own checkout's dbt/ folder.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import bench_index as bi  # noqa: E402


def dbt(home: Path, checkout: Path, memory: str, command: str, target: Path, *extra: str) -> dict:
    cmd, env = bi.dbt_command(home, memory, command, target)
    if command == "parse":
        subprocess.run(cmd, cwd=checkout / "dbt", env=env, check=True, capture_output=True)
        return {}
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(home / f"parse_{checkout.name}" / "partial_parse.msgpack", target / "partial_parse.msgpack")
    r = bi.timed_child(cmd + list(extra), env, checkout / "dbt", target / "dbt.log")
    r["run_results"] = json.loads((target / "run_results.json").read_text())
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkouts", nargs=2, type=Path, required=True, help="before and after")
    ap.add_argument("--size", choices=list(bi.SIZES), default="year-quarter")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--night-share", type=float, default=0.012)
    ap.add_argument("--night-recent-days", type=int, default=45)
    ap.add_argument("--root", type=Path, default=Path("/tmp/svcindex-bench-night-ab"))
    ap.add_argument("--memory", default=os.environ.get("SVCINDEX_DUCKDB_MEMORY", "5GB"))
    ap.add_argument("--keep", action="store_true", help="keep --root afterwards (each build's run_results.json)")
    a = ap.parse_args()
    checkouts = [c.resolve() for c in a.checkouts]
    if checkouts[0].name == checkouts[1].name:
        ap.error("give the checkouts different folder names (they name the results)")
    first_day, days, per_month, months, night, period = bi.SIZES[a.size]
    home = a.root
    shutil.rmtree(home, ignore_errors=True)
    (home / "warehouse").mkdir(parents=True)
    warehouse = home / "warehouse" / "svcindex.duckdb"
    t = time.perf_counter()
    counts = bi.generate(warehouse, first_day, days, per_month, months, night, a.memory)
    print(f"generated {counts['dossiers']:,} dossiers ({counts['dvcqg_hoso']:,} versions) in "
          f"{time.perf_counter() - t:.0f} s", flush=True)
    shutil.copy(warehouse, home / "raw.duckdb")
    for c in checkouts:  # each checkout's own full build: its models decide the tables it keeps
        shutil.copy(home / "raw.duckdb", warehouse)
        dbt(home, c, a.memory, "parse", home / f"parse_{c.name}")
        r = dbt(home, c, a.memory, "build", home / f"full_{c.name}", "--full-refresh")
        print(f"{c.name}: full build {r['wall_s']:.1f} s", flush=True)
        shutil.copy(warehouse, home / f"built_{c.name}.duckdb")
    (home / "raw.duckdb").unlink()
    print(f"\n| round | checkout | incremental wall | dbt elapsed | models / tests / seeds | peak | load | slowest nodes |\n|---|---|---|---|---|---|---|---|")
    for i in range(a.rounds):
        for c in checkouts:
            shutil.copy(home / f"built_{c.name}.duckdb", warehouse)
            versions, months_touched = bi.insert_night(warehouse, a.memory, night, a.night_share, a.night_recent_days)
            r = dbt(home, c, a.memory, "build", home / f"night_{c.name}_{i}")
            floor = bi.timed_child([sys.executable, "-c", bi.FLOOR_CHILD, str(warehouse), str(home / "floor.parquet"), a.memory],
                                   dict(os.environ), bi.ROOT, home / "floor.log")
            bad = bi.disagreements(bi.marts_result(warehouse, period), pd.read_parquet(home / "floor.parquet"), (c.name, "floor"))
            if bad:
                sys.exit(f"{c.name}: DISAGREEMENT with the floor after the night: {bad[:10]}")
            by = {}
            for n in r["run_results"]["results"]:
                kind = n["unique_id"].split(".")[0]
                by[kind] = by.get(kind, 0.0) + n["execution_time"]
            top = sorted(((n["unique_id"].split(".")[-1], n["execution_time"]) for n in r["run_results"]["results"]),
                         key=lambda x: -x[1])[:6]
            print(f"| {i + 1} | {c.name} | {r['wall_s']:.1f} s | {r['run_results']['elapsed_time']:.1f} s "
                  f"| {by.get('model', 0):.1f} / {by.get('test', 0):.1f} / {by.get('seed', 0):.1f} s "
                  f"| {r['peak_rss_gib']:.2f} GiB | {r['load_1m']:.1f} | "
                  + ", ".join(f"{u} {t:.1f}" for u, t in top) + " |", flush=True)
    print(f"\nthe night: {versions:,} versions received in {months_touched} months, floor agreed after every build "
          f"(floor {floor['wall_s']:.1f} s)")
    if not a.keep:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
