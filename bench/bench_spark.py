"""Benchmark: the score marts built by dbt on DuckDB and on local Spark (dbt-spark, session method).

Both engines build the same selection (every model upstream of fct_criterion_scores,
fct_group_scores and fct_unit_scores, seeds included, no dbt tests) from the same raw rows:
DuckDB from the warehouse's raw.*, Spark from the Parquet lake written from it (lake.py).

  fixture — the parity test's fixture: three simulated nights for Phú Thọ and Thái Nguyên at
            scale 0.002, ingested by the real nightly job (which writes the lake);
  month   — raw rows generated with bench_marts.py's SQL (--dossiers, default a national month of
            5M), the lake exported from them.

    .venv/bin/python bench/bench_spark.py --scenario fixture
    .venv/bin/python bench/bench_spark.py --scenario month --dossiers 500000

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
from dagster_project.settings import DBT_PROJECT_DIR  # noqa: E402
from dagster_project.spark_target import SCORE_MARTS, build_on_spark  # noqa: E402

SELECT = [f"+{m}" for m in SCORE_MARTS]


def duckdb_build(home: Path) -> float:
    env = {**os.environ, "SVCINDEX_HOME": str(home), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    dbt = str(Path(sys.executable).with_name("dbt"))
    t = time.perf_counter()
    proc = subprocess.run([dbt, "build", "--profiles-dir", ".", "--target-path", str(home / "dbt_target"),
                           "--log-path", str(home / "dbt_logs"), "--exclude-resource-type", "test",
                           "--exclude-resource-type", "unit_test", "--select", *SELECT],
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
    ap.add_argument("--scenario", choices=["fixture", "month"], default="fixture")
    ap.add_argument("--dossiers", type=int, default=5_000_000)
    ap.add_argument("--driver-memory", default=os.environ.get("SVCINDEX_SPARK_DRIVER_MEMORY", "2g"))
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    os.environ["SVCINDEX_SPARK_DRIVER_MEMORY"] = a.driver_memory
    home = (a.root / a.scenario).resolve()
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    if a.scenario == "fixture":
        fixture_home(home)
    else:
        month_home(home, a.dossiers)
    import duckdb

    with duckdb.connect(str(home / "warehouse" / "svcindex.duckdb"), read_only=True) as con:
        versions, dossiers = con.execute("select count(*), count(distinct MaHoSo) from raw.dvcqg_hoso").fetchone()
        units = con.execute("select count(distinct MaCoQuan) from raw.dvcqg_coquan").fetchone()[0]
    duck_s = duckdb_build(home)
    spark_s = build_on_spark(home / "spark", lake_home=home)
    with duckdb.connect() as con:
        unit_rows = con.execute(f"select count(*) from read_parquet('{home}/spark/warehouse/marts.db/fct_unit_scores/*.parquet')").fetchone()[0]
    print(json.dumps({"scenario": a.scenario, "dossiers": dossiers, "dossier_versions": versions, "units": units,
                      "unit_score_rows": unit_rows, "duckdb_dbt_s": round(duck_s, 1), "spark_dbt_s": round(spark_s, 1),
                      "spark": f"local[2], driver {a.driver_memory}", "cpus": os.cpu_count(),
                      "load_avg_1m": round(os.getloadavg()[0], 1)}), flush=True)
    if not a.keep:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
