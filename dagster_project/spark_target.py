"""The same dbt models on Apache Spark: `dbt build --target spark` over the Parquet lake.

The `spark` output of dbt/profiles.yml uses dbt-spark's `session` method: dbt starts a local pyspark
(local[2], small shuffle, no UI, in-memory catalog) inside its own process, an on-run-start hook
turns every raw source into a view over $SVCINDEX_HOME/lake (dagster_project/lake.py), and the
models are written as Parquet tables under <work>/warehouse/<schema>.db/<model>/ — which DuckDB
reads directly (`mart_parquet`). Java 17 must be on PATH (`make test` installs it when missing).

Only the scoring runs on Spark; the quality gate and publication stay with DuckDB (README
"Scaling out"). `python -m dagster_project.spark_target [work_dir]` builds the marts of the
current SVCINDEX_HOME's lake and prints where they are.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .settings import DBT_EXECUTABLE as DBT, DBT_PROJECT_DIR, home

# the models the published scores come from, with everything upstream of them
SCORE_MARTS = ("fct_criterion_scores", "fct_group_scores", "fct_unit_scores")
# issue 15: sync gaps and early warning, built on Spark with the scores (the parity test compares them)
WARNING_MARTS = ("fct_sync_gaps", "fct_sync_gap_summary", "fct_at_risk_dossiers", "fct_points_at_stake")


class SparkBuildFailed(RuntimeError):
    pass


def build_on_spark(work: Path, *, select: tuple[str, ...] = tuple(f"+{m}" for m in SCORE_MARTS + WARNING_MARTS),
                   dbt_vars: dict | None = None, lake_home: Path | None = None) -> float:
    """Seed and run the selected models on local Spark (dbt tests stay on DuckDB); returns seconds.

    `work` holds this run's Spark warehouse, scratch space, dbt target and logs; it is emptied first
    (the catalog lives in memory, so a run always starts from nothing)."""
    root = (lake_home or home().root).resolve()
    work = work.resolve()
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    env = {**os.environ, "SVCINDEX_HOME": str(root), "SVCINDEX_SPARK_DIR": str(work),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    cmd = [str(DBT), "build", "--target", "spark", "--profiles-dir", ".",
           "--target-path", str(work / "dbt_target"), "--log-path", str(work / "dbt_logs"),
           "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
           "--select", *select]
    if dbt_vars:
        cmd += ["--vars", json.dumps(dbt_vars)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        tail = "\n".join(line for line in proc.stdout.splitlines() if "WARN SparkSession" not in line)[-4000:]
        raise SparkBuildFailed(f"dbt build --target spark failed (logs in {work / 'dbt_logs'}):\n{tail}\n"
                               f"{proc.stderr[-1500:]}")
    return elapsed


def mart_parquet(work: Path, model: str, schema: str = "marts") -> str:
    """A DuckDB read_parquet() glob for a model Spark wrote in `work`."""
    return str(work.resolve() / "warehouse" / f"{schema}.db" / model / "*.parquet")


def main(argv: list[str]) -> int:
    work = Path(argv[0]) if argv else home().root / "spark"
    seconds = build_on_spark(work)
    print(f"Spark built {', '.join(SCORE_MARTS)} in {seconds:.1f} s:")
    for m in SCORE_MARTS:
        print(f"  {mart_parquet(work, m)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
