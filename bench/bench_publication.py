"""Benchmark: the publication (publish.publish) of a home whose warehouse holds built marts.

    .venv/bin/python bench/bench_marts.py --scenario year --keep        # a national year, /tmp/svcindex-bench/year
    .venv/bin/python bench/bench_publication.py --home /tmp/svcindex-bench/year --repeats 3

Each repeat publishes in its own process (the night's step does the same work): wall seconds of
publish(), seconds per published table, the months rewritten of the tables published by month,
the process's peak RSS and the published file's size; then the rows and on-disk size of every
published table. The home's warehouse gains one ops.publication_log row per repeat.

--fresh removes the published file first (the first publication in a home writes every table
whole); otherwise a publication starts from a copy of the last one. --touch-month M stands in for
a night: before each repeat, the warehouse's rows of month M (YYYY-MM) in the tables published by
month get a new status / flag on one dossier in ten, so that month must be written again.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, time, uuid
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from dagster_project.publish import publish
home = Path(sys.argv[2])
t = time.perf_counter()
pub = publish(home / "warehouse" / "svcindex.duckdb", home / "published" / "svcindex.duckdb", str(uuid.uuid4()))
print("BENCH " + json.dumps({"wall_s": round(time.perf_counter() - t, 2), "seconds": pub.seconds,
                              "rows": pub.row_counts, "restatements": pub.restatements, "months": pub.months_rewritten,
                              "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)}))
"""


def table_sizes(path: Path) -> dict[str, int]:
    """Bytes of the blocks each table of the published file uses."""
    with duckdb.connect(str(path), read_only=True) as con:
        block = con.execute("select block_size from pragma_database_size()").fetchone()[0]
        tables = [t for (t,) in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        return {t: block * con.execute(f"select count(distinct block_id) from pragma_storage_info('{t}') "
                                       "where block_id >= 0").fetchone()[0] for t in tables}


# One dossier (or unit-procedure row) in ten of month M changes, as a night's new versions would
# change them (dossier_criteria and procedure_usage are views over these two tables).
TOUCH_SQL = (
    "update intermediate.int_dossier_facts set status = status + 1 "
    "where received_month = ?::date and hash(dossier_code) % 10 = {round}",
    "update intermediate.int_unit_month_procedure_usage set any_online = 1 - coalesce(any_online, 0) "
    "where received_month = ?::date and hash(unit_code, procedure_code) % 10 = {round}",
)


def touch(home: Path, month: str, round_: int) -> None:
    with duckdb.connect(str(home / "warehouse" / "svcindex.duckdb")) as con:
        for sql in TOUCH_SQL:
            con.execute(sql.format(round=round_ % 10), [f"{month}-01"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", type=Path, required=True, help="a home whose warehouse has the marts built")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--fresh", action="store_true", help="remove the published file before each repeat")
    ap.add_argument("--touch-month", help="YYYY-MM: change one dossier in ten of this month before each repeat")
    a = ap.parse_args()
    env = {**os.environ, "SVCINDEX_HOME": str(a.home)}
    runs = []
    published = a.home / "published" / "svcindex.duckdb"
    for i in range(a.repeats):
        if a.fresh:
            published.unlink(missing_ok=True)
        if a.touch_month:
            touch(a.home, a.touch_month, i)
        out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(a.home)], env=env, capture_output=True,
                             text=True)
        line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH ")), None)
        if line is None:
            sys.exit(out.stdout[-3000:] + out.stderr[-3000:])
        run = json.loads(line[6:])
        run["load_1m"] = round(os.getloadavg()[0], 1)
        runs.append(run)
        slowest = sorted(run["seconds"].items(), key=lambda kv: -kv[1])[:4]
        print(f"repeat {i + 1}: {run['wall_s']:.1f} s, peak RSS {run['peak_rss_gib']} GiB, load {run['load_1m']}; "
              f"slowest tables: " + ", ".join(f"{t} {s:.1f} s" for t, s in slowest)
              + "; months rewritten: " + ", ".join(f"{t} {len(m)}" for t, m in run["months"].items())
              + f"; file {published.stat().st_size / 1e6:,.0f} MB", flush=True)
    sizes = table_sizes(published)
    walls = sorted(r["wall_s"] for r in runs)
    print(f"\npublication: min {walls[0]:.1f} s, median {walls[len(walls) // 2]:.1f} s over {len(walls)}; "
          f"file {published.stat().st_size / 1e6:,.0f} MB")
    print("| table | rows | MB | seconds (last repeat) |\n|---|---|---|---|")
    last = runs[-1]
    for table in sorted(sizes, key=lambda t: -sizes[t]):
        print(f"| {table} | {last['rows'].get(table, '')!s} | {sizes[table] / 1e6:,.1f} | "
              f"{last['seconds'].get(table, '')!s} |")


if __name__ == "__main__":
    main()
