"""dbt's unit tests (dbt/models/**/_unit_tests*.yml), which the nightly build leaves out
(assets/transform.py): they run here, on a copy of the session's warehouse, where every model
they take input from exists."""
from __future__ import annotations

import json
import os
import subprocess

from dagster_project.dbt_project import vars_args
from dagster_project.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Home


def test_every_dbt_unit_test_runs_and_passes(copied_home):
    target = copied_home / "dbt_unit_target"
    proc = subprocess.run(
        [str(DBT_EXECUTABLE), "test", "--select", "test_type:unit", "--profiles-dir", ".",
         "--target-path", str(target), "--log-path", str(copied_home / "dbt_logs"),
         *vars_args(Home(copied_home), {"duckdb_threads": "1"})],
        cwd=DBT_PROJECT_DIR, env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    manifest = json.loads((target / "manifest.json").read_text())
    declared = set(manifest["unit_tests"])
    results = {r["unique_id"]: r["status"] for r in json.loads((target / "run_results.json").read_text())["results"]
               if r["unique_id"].startswith("unit_test.")}
    assert declared and set(results) == declared, f"declared but not run: {sorted(declared - set(results))}"
    assert set(results.values()) == {"pass"}
