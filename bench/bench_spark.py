"""Benchmark: the score marts built by dbt on DuckDB and on local Spark (dbt-spark, session method).

Both engines build the same selection (every model upstream of fct_criterion_scores,
fct_group_scores and fct_unit_scores, seeds included, no dbt tests) from the same raw rows:
DuckDB from the warehouse's raw.*, Spark from the Parquet lake written from it (lake.py).

  fixture — the parity test's fixture: three simulated nights for Phú Thọ and Thái Nguyên at
            scale 0.002, ingested by the real nightly job (which writes the lake);
  month   — raw rows generated with bench_marts.py's SQL (--dossiers, default a national month of
            5M), the lake exported from them;
  home    — a home the nightly job already ingested (--home; e.g. bench_distribution.py's national
            month): its warehouse's raw.* for DuckDB, the lake its ingest wrote for Spark. Nothing is
            deleted; the Spark work folder goes under --root.

    .venv/bin/python bench/bench_spark.py --scenario fixture
    .venv/bin/python bench/bench_spark.py --scenario month --dossiers 500000
    .venv/bin/python bench/bench_spark.py --scenario home --home /tmp/nat/home --driver-memory 4g

Prints one JSON line per scenario: rows, seconds per engine, and the Spark settings used.
Spark runs local[2] with SVCINDEX_SPARK_DRIVER_MEMORY (default 2g; --driver-memory).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from dagster_project.dbt_project import vars_args  # noqa: E402
from dagster_project.settings import DBT_PROJECT_DIR, Home  # noqa: E402
from dagster_project.spark_target import SCORE_MARTS, build_on_spark, mart_parquet  # noqa: E402

SELECT = [f"+{m}" for m in SCORE_MARTS]
# (mart, key, value): the parity test's comparison, over the whole bench data
COMPARED = [("fct_criterion_scores", "unit_code, period_type, period, criterion_code", "points"),
            ("fct_group_scores", "unit_code, period_type, period, group_code", "points"),
            ("fct_unit_scores", "unit_code, period_type, period", "total")]


def differences(con, spark_work: Path, mart: str, keys: str, value: str) -> int:
    """Rows of one mart that exist on one engine only, or whose value differs by 0.01 or more."""
    return con.execute(f"""
        select count(*) from marts.{mart} d full join read_parquet('{mart_parquet(spark_work, mart)}') s using ({keys})
        where d.{value} is distinct from s.{value} and (d.{value} is null or s.{value} is null
                                                        or abs(d.{value} - s.{value}) >= 0.005)
           or (d.unit_code is null) <> (s.unit_code is null)""").fetchone()[0]


def duckdb_build(home: Path) -> float:
    env = {**os.environ, "SVCINDEX_HOME": str(home), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    dbt = str(Path(sys.executable).with_name("dbt"))
    t = time.perf_counter()
    proc = subprocess.run([dbt, "build", "--profiles-dir", ".", "--target-path", str(home / "dbt_target"),
                           "--log-path", str(home / "dbt_logs"), "--exclude-resource-type", "test",
                           # Spark starts from an empty catalog: DuckDB rebuilds its incremental models too
                           "--exclude-resource-type", "unit_test", "--full-refresh", "--select", *SELECT,
                           *vars_args(Home(home))],
                          cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stdout[-4000:])
    return time.perf_counter() - t


def fixture_home(home: Path) -> None:
    os.environ["SVCINDEX_HOME"] = str(home)
    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    from dagster_project.cli import prepare_environment, run_nightly
    from dagster_project.simulate import simulate

    prepare_environment()
    simulate(home / "landing", date(2026, 10, 1), date(2026, 10, 3), scale=0.002, seed=7, provinces=["H44", "H55"])
    if not run_nightly().success:
        raise RuntimeError("the nightly run on the fixture failed")


def month_home(home: Path, dossiers: int) -> None:
    import duckdb
    from bench_marts import generate

    from dagster_project import lake

    (home / "warehouse").mkdir(parents=True)
    warehouse = home / "warehouse" / "svcindex.duckdb"
    generate(warehouse, "2026-10-01", 31, dossiers, 1, "2026-10-31", os.environ.get("SVCINDEX_DUCKDB_MEMORY", "5GB"))
    con = duckdb.connect(str(warehouse))
    try:
        t = time.perf_counter()
        lake.export_all(con, home / "lake", lake.lake_tables())
        print(f"lake export: {time.perf_counter() - t:.1f} s", file=sys.stderr)
    finally:
        con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=Path("/tmp/svcindex-bench-spark"))
    ap.add_argument("--scenario", choices=["fixture", "month", "home"], default="fixture")
    ap.add_argument("--home", type=Path, help="--scenario home: an ingested SVCINDEX_HOME")
    ap.add_argument("--dossiers", type=int, default=5_000_000)
    ap.add_argument("--driver-memory", default=os.environ.get("SVCINDEX_SPARK_DRIVER_MEMORY", "2g"))
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    os.environ["SVCINDEX_SPARK_DRIVER_MEMORY"] = a.driver_memory
    work = (a.root / a.scenario).resolve()
    home = a.home.resolve() if a.scenario == "home" else work
    if a.scenario != "home":
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
    if a.scenario == "fixture":
        fixture_home(home)
    elif a.scenario == "month":
        month_home(home, a.dossiers)
    import duckdb

    with duckdb.connect(str(home / "warehouse" / "svcindex.duckdb"), read_only=True) as con:
        versions, dossiers = con.execute("select count(*), count(distinct MaHoSo) from raw.dvcqg_hoso").fetchone()
        units = con.execute("select count(distinct MaCoQuan) from raw.dvcqg_coquan").fetchone()[0]
        agency = con.execute("select count(*) from raw.agency_hoso").fetchone()[0]
    duck_s = duckdb_build(home)
    spark_s = build_on_spark(work / "spark", select=tuple(SELECT), lake_home=home)
    with duckdb.connect(str(home / "warehouse" / "svcindex.duckdb"), read_only=True) as con:
        unit_rows = con.execute(f"select count(*) from read_parquet('{mart_parquet(work / 'spark', 'fct_unit_scores')}')").fetchone()[0]
        differing = {mart: differences(con, work / "spark", mart, keys, value) for mart, keys, value in COMPARED}
    print(json.dumps({"scenario": a.scenario, "dossiers": dossiers, "dossier_versions": versions,
                      "agency_dossier_rows": agency, "units": units,
                      "unit_score_rows": unit_rows,
                      "rows_differing_by_0.01_or_more": differing, "duckdb_dbt_s": round(duck_s, 1), "spark_dbt_s": round(spark_s, 1),
                      "spark": f"local[2], driver {a.driver_memory}", "cpus": os.cpu_count(),
                      "load_avg_1m": round(os.getloadavg()[0], 1)}), flush=True)
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
