"""One new national night on top of a loaded national year, end to end: `svcindex run` (ingest,
dbt, score gate, publication, report), wall time and the peak memory of its whole process tree.

The year is built in four steps, each printed with its time:
  1. simulate October 2026 and the nights of 1 and 2 November at national volume (all provinces
     and ministries, `--scale 1`), and hold the two November nights back;
  2. `svcindex run` on October, as a first night's run would (every source through the loaders);
  3. history: October's dossier versions, ratings, feedback and agency rows copied 1..11 months
     back (dates and lineage shifted, codes suffixed `-01`..`-11`), half of October's dossiers in
     each earlier month (--history-share): 2.9 M dossiers a month before October, 5.7 M in it.
     The snapshots (units, procedures, their assignments, online services) stay as they are;
     the load log is not touched (earlier months count as not covered, which the scores flag);
  4. night 1 November with `svcindex run --full-refresh`: every model built over the year, the
     first publication of the year.
Then night 2 November with a plain `svcindex run`: the measured night, incremental as every
night after the first is. The simulator is deterministic (seed 7): the same files every time.

    .venv/bin/python bench/bench_year_night.py [--home /tmp/svcindex-bench-year-night] [--keep]

Heavy: about an hour on a 2-core machine (2026-12-03: simulation 2 min, October's run 12 min, history
5 min, the full refresh 15–22 min, the measured night 10 min with its report) and 25 GB of disk (the
year's warehouse 17.6 GB); without --keep the home is removed at the end.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SVCINDEX = Path(sys.executable).with_name("svcindex")
FIRST, HELD = date(2026, 10, 1), (date(2026, 11, 1), date(2026, 11, 2))
# the dated raw tables copied back in time (the snapshot sources stay), with the code each is sampled by
HISTORY = {"dvcqg_hoso": "MaHoSo", "dvcqg_danhgia": "MaHoSo", "dvcqg_pakn": "MaPAKN", "agency_hoso": "MaHoSo",
           "bcqg_tiepnhan": None}
CODES = ("MaHoSo", "MaPAKN")


def tree_rss(root: int) -> int:
    """Summed resident memory of `root` and every process under it (dbt runs in a child), from /proc."""
    children, rss = {}, {}
    for d in filter(str.isdigit, os.listdir("/proc")):
        try:
            ppid = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
            rss[int(d)] = int(Path(f"/proc/{d}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def svcindex_run(home: Path, *args: str) -> dict:
    """`svcindex run ARGS` in its own process: wall seconds, peak summed RSS (sampled every 0.5 s), output."""
    env = {**os.environ, "SVCINDEX_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    load = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen([str(SVCINDEX), "run", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.extend(proc.stdout), daemon=True)
    reader.start()
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.5)
    reader.join()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"svcindex run {' '.join(args)} failed (exit {proc.returncode}):\n{''.join(out)[-4000:]}")
    return {"wall_s": wall, "peak_gib": peak / 2**30, "load": load, "output": "".join(out)}


def move_nights(src: Path, dst: Path, night: date) -> None:
    """Move one night's folder of every source from landing `src` to `dst` (held back or returned)."""
    for source in sorted(p for p in src.iterdir() if p.is_dir()):
        if (source / night.isoformat()).is_dir():
            (dst / source.name).mkdir(parents=True, exist_ok=True)
            shutil.move(source / night.isoformat(), dst / source.name / night.isoformat())


def add_history(warehouse: Path, months: int, share: float, memory: str) -> dict[str, int]:
    """Copy October's rows of the dated raw tables 1..`months` months back (see the docstring)."""
    keep = round(1 / share)
    con = duckdb.connect(str(warehouse), config={"memory_limit": memory, "threads": os.cpu_count() or 2})
    try:
        counts = {}
        for table, key in HISTORY.items():
            cols = con.execute("select column_name, data_type from information_schema.columns "
                               "where table_schema = 'raw' and table_name = ? order by ordinal_position", [table]).fetchall()
            for k in range(1, months + 1):
                select = []
                for col, typ in cols:
                    if col in CODES:
                        select.append(f"{col} || '-{k:02d}' as {col}")
                    elif typ in ("TIMESTAMP", "DATE"):
                        select.append(f"cast({col} - interval {k} month as {typ}) as {col}")
                    elif col == "_file":  # not October's files: a correction of one must not retract these rows
                        select.append(f"'history-{k:02d}/' || _file as _file")
                    elif col == "DanhSachHoSoBoSung":
                        select.append(f"list_transform({col}, lambda x: struct_pack("
                                      f"NgayYeuCauBoSung := x.NgayYeuCauBoSung - interval {k} month,"
                                      f" NgayBoSung := x.NgayBoSung - interval {k} month)) as {col}")
                    else:
                        select.append(col)
                rows = (f"select {', '.join(select)} from raw.{table} where _extract_date >= date '{FIRST}'"
                        + (f" and hash({key}) % {keep} = 0" if key else ""))
                if key is None:  # one report row per unit and month: never a second one for a month October gave
                    rows = (f"select * from ({rows}) as s where not exists (select 1 from raw.{table} as r"
                            f" where r.MaCoQuan = s.MaCoQuan and r.Thang = s.Thang)")
                con.execute(f"insert into raw.{table} {rows}")
            counts[table] = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
        con.execute("checkpoint")
        counts["dossiers"] = con.execute("select count(distinct MaHoSo) from raw.dvcqg_hoso").fetchone()[0]
        return counts
    finally:
        con.close()


def summary(run: dict) -> str:
    stages = [line.strip() for line in run["output"].splitlines() if line.lstrip().startswith(("✓", "!", "✗"))]
    return "\n".join(f"    {s}" for s in stages)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", type=Path, default=Path("/tmp/svcindex-bench-year-night"))
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--history-months", type=int, default=11)
    ap.add_argument("--history-share", type=float, default=0.5)
    ap.add_argument("--memory", default=os.environ.get("SVCINDEX_DUCKDB_MEMORY", "5GB"))
    ap.add_argument("--keep", action="store_true", help="keep the home (warehouse, published file, logs)")
    a = ap.parse_args()
    home = a.home.resolve()
    shutil.rmtree(home, ignore_errors=True)
    os.environ.update(SVCINDEX_HOME=str(home), DAGSTER_HOME=str(home / "dagster"), SVCINDEX_DUCKDB_MEMORY=a.memory)
    from dagster_project.cli import prepare_environment
    from dagster_project.simulate import simulate

    prepare_environment()
    landing, held = home / "landing", home / "held"
    t = time.perf_counter()
    simulate(landing, FIRST, HELD[-1], scale=a.scale, seed=7, provinces=None)
    for night in HELD:
        move_nights(landing, held, night)
    print(f"1. simulated {FIRST} .. {HELD[-1]} at scale {a.scale} in {time.perf_counter() - t:.0f} s", flush=True)
    r = svcindex_run(home)
    print(f"2. October's run: {r['wall_s']:.0f} s, peak {r['peak_gib']:.2f} GiB\n{summary(r)}", flush=True)
    t = time.perf_counter()
    counts = add_history(home / "warehouse" / "svcindex.duckdb", a.history_months, a.history_share, a.memory)
    print(f"3. history added in {time.perf_counter() - t:.0f} s: {counts['dossiers']:,} dossiers, "
          + ", ".join(f"{k} {v:,}" for k, v in counts.items() if k != "dossiers"), flush=True)
    move_nights(held, landing, HELD[0])
    r = svcindex_run(home, "--full-refresh")
    print(f"4. {HELD[0]} with --full-refresh: {r['wall_s']:.0f} s, peak {r['peak_gib']:.2f} GiB\n{summary(r)}", flush=True)
    move_nights(held, landing, HELD[1])
    r = svcindex_run(home)
    size = (home / "warehouse" / "svcindex.duckdb").stat().st_size / 2**30
    published = (home / "published" / "svcindex.duckdb").stat().st_size / 2**30
    print(f"\nthe measured night, {HELD[1]} on the year: {r['wall_s']:.1f} s wall, peak {r['peak_gib']:.2f} GiB "
          f"(the run's process tree), load {r['load']:.1f} at its start; warehouse {size:.1f} GiB, "
          f"published file {published:.2f} GiB\n{summary(r)}", flush=True)
    if not a.keep:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
