"""dbt's unit tests (dbt/models/**/_unit_tests*.yml), which the nightly build leaves out
(assets/transform.py): they run here, on a copy of the session's warehouse, where every model
they take input from exists."""
from __future__ import annotations

import json

from conftest import run_dbt


def test_every_dbt_unit_test_runs_and_passes(copied_home):
    proc, target = run_dbt(copied_home, "test", "--select", "test_type:unit")
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    manifest = json.loads((target / "manifest.json").read_text())
    declared = set(manifest["unit_tests"])
    results = {r["unique_id"]: r["status"] for r in json.loads((target / "run_results.json").read_text())["results"]
               if r["unique_id"].startswith("unit_test.")}
    assert declared and set(results) == declared, f"declared but not run: {sorted(declared - set(results))}"
    assert set(results.values()) == {"pass"}
