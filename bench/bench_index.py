"""One harness, three contenders, the same raw data: does the marts build tell the truth, and how fast?

For each size, raw.* is generated once (bench_marts.py's set-based generator: a national unit tree
of 4,166 units, October 2026, as-of night 2026-10-31), then three contenders run interleaved,
--repeats times each (the order rotates every round so no contender always runs on a warm or a
cold page cache):

  marts   `dbt build --exclude-resource-type unit_test --full-refresh` as the pipeline's dbt asset
          runs it (seeds, every model from all history, data tests; the unit tests run in the test
          suite), with a fresh target folder that gets the home's partial_parse.msgpack copied in,
          as the pipeline does from its second run in a home on (--parse cold: the project's, which
          is not valid for another SVCINDEX_HOME, so dbt parses in full);
  floor   bench/floor.sql: one hand-written DuckDB query from raw.* to the ten criteria;
  pandas  bench/floor_pandas.py: the same in pandas/numpy.

Each contender is its own process; its wall time counts from process start to exit (imports and
dbt's parsing included) and its peak RSS comes from wait4(). The ten dossier criteria TDGQ.1,
TDGQ.2, CLGQ.3, TTTT.3, MDSH.1-5 and MDHL.3 — numerator and denominator, for every unit and period
'2026-10' — must be equal across the three (the marts read from marts.fct_criterion_scores), or
the harness stops with the differences. Then it prints min and median per contender, the ratios
marts/floor and pandas/floor, and dbt's slowest nodes (run_results.json, the best of the repeats).

Then one new night on that loaded history (--night-share of the dossiers get a new version, loaded
now, as-of unchanged): the marts built incrementally (`dbt build` without --full-refresh: the
pipeline's nightly build), checked against the floor on the new raw rows, then the same from all
history (--full-refresh), each timed once. That is dbt's part of a night, not ingest or publication.

    .venv/bin/python bench/bench_index.py                      # 1k and 1M, 3 repeats
    .venv/bin/python bench/bench_index.py --sizes 5M --repeats 3
    .venv/bin/python bench/bench_index.py --sizes year          # a national year (12 x 2.5M), month = Dec
    .venv/bin/python bench/bench_index.py --sizes year --repeats 1 --no-pandas --night-share 0.012
                                   # without pandas (3.7 GiB at 5 M dossiers; a year is 36 M versions); a night of ~360 k versions
    .venv/bin/python bench/bench_index.py --sizes 1k --parse cold  # dbt parsing in full every build
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from bench_marts import generate  # noqa: E402  (the raw-row generator, shared)
from dagster_project.dbt_project import vars_args  # noqa: E402  (bench_marts put the project on sys.path)
from dagster_project.settings import Home  # noqa: E402

DBT_DIR = ROOT / "dbt"
CRITERIA = ("TDGQ.1", "TDGQ.2", "CLGQ.3", "TTTT.3", "MDSH.1", "MDSH.2", "MDSH.3", "MDSH.4", "MDSH.5", "MDHL.3")
# name -> (first day, days of data per month, dossiers per month, months, night = as-of, scored month)
SIZES = {
    "1k": ("2026-10-01", 31, 1_000, 1, "2026-10-31", "2026-10"),
    "1M": ("2026-10-01", 31, 1_000_000, 1, "2026-10-31", "2026-10"),
    "5M": ("2026-10-01", 31, 5_000_000, 1, "2026-10-31", "2026-10"),
    "year": ("2026-01-01", 28, 2_500_000, 12, "2026-12-31", "2026-12"),
    "year-quarter": ("2026-01-01", 28, 600_000, 12, "2026-12-31", "2026-12"),  # a year at a quarter of the volume
}

FLOOR_CHILD = """
import sys, time, duckdb, pandas
t = time.perf_counter()
con = duckdb.connect(sys.argv[1], read_only=True, config={"threads": 2, "memory_limit": sys.argv[3]})
con.execute("set enable_progress_bar = false")
result = con.execute(open("bench/floor.sql").read()).df()
print(f"COMPUTE {time.perf_counter() - t:.3f}")
result.to_parquet(sys.argv[2])
"""


def timed_child(cmd: list[str], env: dict, cwd: Path, log: Path) -> dict:
    """Run one contender as a child process: wall seconds, its own peak RSS (wait4), return code."""
    with open(log, "w") as out:
        load = os.getloadavg()[0]
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
    rc = os.waitstatus_to_exitcode(status)
    text = log.read_text(errors="replace")
    compute = [float(x) for x in re.findall(r"COMPUTE ([0-9.]+)", text)]
    if rc != 0:
        sys.exit(f"{cmd[1] if len(cmd) > 1 else cmd[0]} failed (exit {rc}); log {log}:\n{text[-3000:]}")
    return {"wall_s": wall, "peak_rss_gib": usage.ru_maxrss / 2**20, "load_1m": load,
            "compute_s": compute[0] if compute else None}


def dbt_command(home: Path, memory: str, command: str, target: Path) -> tuple[list[str], dict]:
    env = {**os.environ, "SVCINDEX_HOME": str(home), "SVCINDEX_DUCKDB_MEMORY": memory,
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    dbt = str(Path(sys.executable).with_name("dbt"))
    # the pipeline's arguments (assets/transform.py dbt_build_args) with the default options
    extra = ["--exclude-resource-type", "unit_test"] if command == "build" else []
    return [dbt, command, *extra, *vars_args(Home(home), {"rule_version": "2026", "duckdb_memory_limit": memory}), "--profiles-dir", ".",
            "--target-path", str(target), "--log-path", str(home / "dbt_logs")], env


def warm_parse(home: Path, memory: str) -> Path:
    """`dbt parse` once with the run's SVCINDEX_HOME (untimed): its partial_parse.msgpack is then
    valid for every build, as the home's own parse state is for the pipeline's runs after its first."""
    cmd, env = dbt_command(home, memory, "parse", home / "dbt_parse")
    subprocess.run(cmd, cwd=DBT_DIR, env=env, check=True, capture_output=True)
    return home / "dbt_parse" / "partial_parse.msgpack"


def run_marts(home: Path, memory: str, round_no, partial: Path, full_refresh: bool = True) -> dict:
    target = home / f"dbt_target_{round_no}"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    if partial.exists():  # what dagster-dbt does before every invocation
        shutil.copy(partial, target / "partial_parse.msgpack")
    cmd, env = dbt_command(home, memory, "build", target)
    if full_refresh:
        cmd.append("--full-refresh")
    r = timed_child(cmd, env, DBT_DIR, home / f"marts_{round_no}.log")
    r["run_results"] = json.loads((target / "run_results.json").read_text())
    r["partial_parse"] = "Unable to do partial parsing" not in (home / f"marts_{round_no}.log").read_text()
    return r


def marts_result(warehouse: Path, period: str):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select unit_code, criterion_code, coalesce(numerator, 0) as numerator, denominator "
            "from marts.fct_criterion_scores where period_type = 'month' and period = ? and criterion_code in ?",
            [period, list(CRITERIA)]).df()
    finally:
        con.close()


def disagreements(a, b, names: tuple[str, str]) -> list[str]:
    """Every (unit, criterion) whose numerator or denominator differs; a missing row counts as 0 / 0."""
    con = duckdb.connect()
    con.register("a", a)
    con.register("b", b)
    rows = con.execute("""
        select coalesce(a.unit_code, b.unit_code) as unit_code, coalesce(a.criterion_code, b.criterion_code) as criterion,
               coalesce(a.numerator, 0) as a_num, coalesce(a.denominator, 0) as a_den,
               coalesce(b.numerator, 0) as b_num, coalesce(b.denominator, 0) as b_den
        from a full join b on a.unit_code = b.unit_code and a.criterion_code = b.criterion_code
        where abs(coalesce(a.numerator, 0) - coalesce(b.numerator, 0)) > 1e-6
           or abs(coalesce(a.denominator, 0) - coalesce(b.denominator, 0)) > 1e-6
        order by 1, 2""").fetchall()
    con.close()
    return [f"{u} {c}: {names[0]} {an:g}/{ad:g} vs {names[1]} {bn:g}/{bd:g}" for u, c, an, ad, bn, bd in rows]


def node_times(run_results: dict) -> dict[str, tuple[str, float]]:
    return {r["unique_id"]: (r["unique_id"].split(".")[0], r["execution_time"]) for r in run_results["results"]}


def bench_size(name: str, root: Path, repeats: int, memory: str, keep: bool, parse: str,
               night_share: float = 0.07, pandas: bool = True, recent_days: int = 0) -> dict:
    first_day, days, per_month, months, night, period = SIZES[name]
    home = root / name
    shutil.rmtree(home, ignore_errors=True)
    (home / "warehouse").mkdir(parents=True)
    warehouse = home / "warehouse" / "svcindex.duckdb"
    t = time.perf_counter()
    counts = generate(warehouse, first_day, days, per_month, months, night, memory)
    print(f"[{name}] generated {counts['dossiers']:,} dossiers ({counts['dvcqg_hoso']:,} versions) "
          f"in {time.perf_counter() - t:.0f} s", flush=True)

    py = sys.executable
    partial = warm_parse(home, memory) if parse == "warm" else DBT_DIR / "target" / "partial_parse.msgpack"
    floor_child = lambda i: timed_child([py, "-c", FLOOR_CHILD, str(warehouse), str(home / f"floor_{i}.parquet"), memory],
                                        dict(os.environ), ROOT, home / f"floor_{i}.log")
    contenders = {
        "marts": lambda i: run_marts(home, memory, i, partial),
        "floor": floor_child,
        "pandas": lambda i: timed_child([py, str(BENCH / "floor_pandas.py"), str(warehouse), str(home / f"pandas_{i}.parquet")],
                                        dict(os.environ), ROOT, home / f"pandas_{i}.log"),
    }
    if not pandas:
        del contenders["pandas"]
    order = list(contenders)
    runs: dict[str, list[dict]] = {c: [] for c in order}
    for i in range(repeats):
        for c in order[i % len(order):] + order[:i % len(order)]:  # rotate who goes first each round
            r = contenders[c](i)
            runs[c].append(r)
            print(f"[{name}] round {i + 1} {c:6s} {r['wall_s']:7.2f} s  peak {r['peak_rss_gib']:.2f} GiB  "
                  f"load {r['load_1m']:.1f}", flush=True)
        # the truth check, every round: all three agree on every unit and criterion of the month
        marts = marts_result(warehouse, period)
        if marts.empty:
            sys.exit(f"[{name}] marts.fct_criterion_scores has no rows for month {period}")
        floor = pd.read_parquet(home / f"floor_{i}.parquet")
        if floor.empty or (floor.denominator > 0).sum() == 0:
            sys.exit(f"[{name}] the floor computed nothing")
        bad = disagreements(marts, floor, ("marts", "floor"))
        if pandas:
            bad += disagreements(pd.read_parquet(home / f"pandas_{i}.parquet"), floor, ("pandas", "floor"))
        if bad:
            print(f"[{name}] DISAGREEMENT in round {i + 1}: {len(bad)} (unit, criterion) pairs differ, e.g.:",
                  *bad[:25], sep="\n  ", file=sys.stderr)
            sys.exit(1)
        units = floor.loc[floor.denominator > 0, "unit_code"].nunique()
        print(f"[{name}] round {i + 1}: {', '.join(order)} agree on all {len(CRITERIA)} criteria "
              f"for {units:,} units", flush=True)

    summary = {c: {"min_s": min(r["wall_s"] for r in rs), "median_s": statistics.median(r["wall_s"] for r in rs),
                   "compute_min_s": min((r["compute_s"] for r in rs if r["compute_s"] is not None), default=None),
                   "peak_rss_gib": max(r["peak_rss_gib"] for r in rs)}
               for c, rs in runs.items()}
    # where dbt's time goes: per node, the best of the repeats
    best: dict[str, tuple[str, float]] = {}
    for r in runs["marts"]:
        for uid, (kind, t) in node_times(r["run_results"]).items():
            if uid not in best or t < best[uid][1]:
                best[uid] = (kind, t)
    by_kind: dict[str, float] = {}
    for kind, t in best.values():
        by_kind[kind] = by_kind.get(kind, 0.0) + t
    loads = [r["load_1m"] for rs in runs.values() for r in rs]
    result = {
        "size": name, "dbt_parse": parse, "dossiers": counts["dossiers"], "dossier_versions": counts["dvcqg_hoso"],
        "units": counts["dvcqg_coquan"], "repeats": repeats, "memory_limit": memory,
        "load_min": min(loads), "load_max": max(loads), "contenders": summary,
        "marts_over_floor": summary["marts"]["min_s"] / summary["floor"]["min_s"],
        "pandas_over_floor": summary["pandas"]["min_s"] / summary["floor"]["min_s"] if pandas else None,
        "dbt_partial_parse": all(r["partial_parse"] for r in runs["marts"]),
        "dbt_node_seconds_by_type": by_kind,
        "dbt_top_nodes": sorted(((uid, t) for uid, (_, t) in best.items()), key=lambda x: -x[1])[:15],
        "dbt_elapsed_s_min": min(r["run_results"]["elapsed_time"] for r in runs["marts"]),
    }
    if night_share > 0:
        result["night"] = one_new_night(home, warehouse, memory, partial, night, period, night_share, recent_days,
                                        floor_child)
    if not keep:
        shutil.rmtree(home, ignore_errors=True)
    return result


def insert_night(warehouse: Path, memory: str, night: str, share: float, recent_days: int) -> tuple[int, int]:
    """`share` of the dossiers get a new version (returned, finished), loaded now: the raw rows of one
    new night on top of the loaded history. Returns the new versions and the months they were received in."""
    con = duckdb.connect(str(warehouse), config={"memory_limit": memory})
    # loaded after everything before it, as a real night is: the generator stamps its rows at the
    # as-of night, which for the year (31 December) lies after today; the incremental models take
    # what was loaded after their last build
    # recent_days: the night's dossiers drawn from those received in the last `recent_days` before
    # the as-of night (a real night updates dossiers still in processing), as many as without it;
    # 0: from all history, every month touched (the worst case for month-keyed models)
    recent = f"NgayTiepNhan >= timestamp '{night}' - interval {recent_days} day" if recent_days else "true"
    scale = con.execute(f"select count(distinct MaHoSo) / count(distinct MaHoSo) filter ({recent}) "
                        "from raw.dvcqg_hoso").fetchone()[0]
    loaded_at = con.execute("select greatest(now()::timestamp, max(_loaded_at) + interval 1 hour) "
                            "from raw.dvcqg_hoso").fetchone()[0]
    con.execute(f"""
        insert into raw.dvcqg_hoso
        select * replace (NgayCapNhat + interval 1 hour as NgayCapNhat, 10 as TrangThaiHoSo,
                          coalesce(NgayKetThucXuLy, NgayCapNhat + interval 1 hour) as NgayKetThucXuLy,
                          coalesce(NgayTra, NgayCapNhat + interval 1 hour) as NgayTra,
                          'bench-night' as _file, '{loaded_at}'::timestamp as _loaded_at)
        from (select * from raw.dvcqg_hoso
              qualify row_number() over (partition by MaHoSo order by NgayCapNhat desc) = 1)
        where hash(MaHoSo) % 10000 < {int(share * 10000 * scale)} and {recent}""")
    versions, months = con.execute("select count(*), count(distinct date_trunc('month', NgayTiepNhan)) "
                                   "from raw.dvcqg_hoso where _file = 'bench-night'").fetchone()
    con.execute("insert into raw.load_log (source, extract_date, file_name, file_sha256, status, loaded_at)"
                " values ('dvcqg_hoso', ?, 'bench-night', 'y', 'loaded', ?)", [night, loaded_at])
    con.close()
    return versions, months


def one_new_night(home: Path, warehouse: Path, memory: str, partial: Path, night: str, period: str,
                  share: float, recent_days: int, floor_child) -> dict:
    """A night's new dossier versions on top of the loaded history: the incremental build, checked
    against the floor, then the full refresh of the same rows."""
    versions, months = insert_night(warehouse, memory, night, share, recent_days)
    incremental = run_marts(home, memory, "night", partial, full_refresh=False)
    floor = floor_child("night")
    bad = disagreements(marts_result(warehouse, period), pd.read_parquet(home / "floor_night.parquet"),
                        ("incremental marts", "floor"))
    if bad:
        print(f"DISAGREEMENT after the new night: {len(bad)} pairs, e.g.:", *bad[:25], sep="\n  ", file=sys.stderr)
        sys.exit(1)
    full = run_marts(home, memory, "night_full", partial, full_refresh=True)
    print(f"one new night ({versions:,} dossier versions received in {months} months): "
          f"incremental dbt build {incremental['wall_s']:.1f} s, "
          f"full refresh {full['wall_s']:.1f} s, floor {floor['wall_s']:.1f} s; incremental agrees with the floor",
          flush=True)
    return {"versions": versions, "received_months": months, "recent_days": recent_days,
            "incremental_s": incremental["wall_s"], "full_refresh_s": full["wall_s"],
            "floor_s": floor["wall_s"], "incremental_peak_gib": incremental["peak_rss_gib"],
            "load_1m": incremental["load_1m"],
            "incremental_top_nodes": sorted(((u, t) for u, (_, t) in node_times(incremental["run_results"]).items()),
                                            key=lambda x: -x[1])[:8]}


def report(results: list[dict]) -> None:
    print()
    print(f"date {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; machine {platform.node()}: {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, {platform.platform()}; "
          f"duckdb {duckdb.__version__}")
    print()
    print("| size | dossiers | marts (dbt build) min / median | floor SQL min / median | pandas min / median "
          "| marts/floor | pandas/floor | peak RSS marts / floor / pandas | load (1 min) |")
    print("|---|---|---|---|---|---|---|---|---|")
    not_run = {"min_s": None, "median_s": None, "peak_rss_gib": None, "compute_min_s": None}
    for r in results:
        c = {"pandas": not_run, **r["contenders"]}
        times = "".join(f"| {c[k]['min_s']:.1f} / {c[k]['median_s']:.1f} s " if c[k]["min_s"] is not None else "| not run "
                        for k in ("marts", "floor", "pandas"))
        ratio = f"{r['pandas_over_floor']:.1f}×" if r["pandas_over_floor"] is not None else "—"
        rss = " / ".join(f"{c[k]['peak_rss_gib']:.1f}" if c[k]["peak_rss_gib"] is not None else "—"
                         for k in ("marts", "floor", "pandas"))
        print(f"| {r['size']}{' (warm parse)' if r['dbt_parse'] == 'warm' else ''} | {r['dossiers']:,} " + times
              + f"| {r['marts_over_floor']:.1f}× | {ratio} | {rss} GiB | {r['load_min']:.1f}–{r['load_max']:.1f} |")
    for r in results:
        c = {"pandas": not_run, **r["contenders"]}
        print(f"\n{r['size']}: in-process compute (no interpreter start, no imports): floor {c['floor']['compute_min_s']} s, "
              f"pandas {c['pandas']['compute_min_s']} s; dbt elapsed (run_results) {r['dbt_elapsed_s_min']:.1f} s; "
              f"dbt partial parse used: {r['dbt_partial_parse']}")
        print("  dbt node seconds by type (best of repeats): "
              + ", ".join(f"{k} {v:.1f}" for k, v in sorted(r["dbt_node_seconds_by_type"].items(), key=lambda x: -x[1])))
        print("  slowest dbt nodes (best of repeats):")
        for uid, t in r["dbt_top_nodes"]:
            print(f"    {t:7.2f} s  {uid}")
        if "night" in r:
            n = r["night"]
            print(f"  one new night ({n['versions']:,} versions, {n['received_months']} months): incremental {n['incremental_s']:.1f} s "
                  f"(peak {n['incremental_peak_gib']:.1f} GiB), full refresh {n['full_refresh_s']:.1f} s, "
                  f"floor {n['floor_s']:.1f} s; slowest incremental nodes: "
                  + ", ".join(f"{u.split('.')[-1]} {t:.1f}" for u, t in n["incremental_top_nodes"]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="+", choices=list(SIZES), default=["1k", "1M"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--root", type=Path, default=Path("/tmp/svcindex-bench-index"))
    ap.add_argument("--memory", default=os.environ.get("SVCINDEX_DUCKDB_MEMORY", "5GB"),
                    help="DuckDB memory_limit for every contender (dbt reads SVCINDEX_DUCKDB_MEMORY)")
    ap.add_argument("--parse", choices=["warm", "cold"], default="warm",
                    help="warm: parse once in the bench home first (the pipeline keeps each home's parse state "
                         "from run to run), so every build parses partially; cold: copy dbt/target's "
                         "partial_parse.msgpack, valid only for the default home, so dbt parses in full")
    ap.add_argument("--night-share", type=float, default=0.07,
                    help="share of the dossiers with a new version in the 'one new night' step (0: skip it)")
    ap.add_argument("--night-recent-days", type=int, default=0,
                    help="draw the night's dossiers from those received in the last N days before the as-of "
                         "night (as many as --night-share of all); 0: from all history")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--keep", action="store_true", help="keep the generated warehouses and logs")
    ap.add_argument("--no-pandas", action="store_true",
                    help="leave the pandas contender out (it peaked at 3.7 GiB on 5 M dossiers; a national year is 36 M versions)")
    a = ap.parse_args()
    if a.repeats < 1:
        ap.error("--repeats must be at least 1")
    results = []
    for size in a.sizes:
        results.append(bench_size(size, a.root, a.repeats, a.memory, a.keep, a.parse, a.night_share, not a.no_pandas,
                                  a.night_recent_days))
        if a.json:  # written as each size finishes, so a later failure loses nothing
            a.json.write_text(json.dumps(results, indent=1, default=str))
    report(results)


if __name__ == "__main__":
    main()
