"""The two `unique` tests on dossier-keyed incremental models read the rows the last build wrote
(`__newest__`, dbt/macros/get_where_subquery.sql), not the whole history: a duplicate among those
rows fails, one stamped by an earlier build is not read. On a copy of the session's warehouse."""
from __future__ import annotations

import json
import os
import subprocess

import duckdb

from dagster_project.dbt_project import vars_args
from dagster_project.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Home

TESTS = ("unique_stg_dossiers_dossier_code", "unique_int_dossier_facts_dossier_code")


def test_unique_on_the_last_builds_rows_fails_on_its_duplicate_and_does_not_read_history(copied_home):
    with duckdb.connect(str(copied_home / "warehouse" / "svcindex.duckdb")) as con:
        # a dossier twice, the copy stamped by an earlier build: not among the rows tested
        con.execute("""insert into staging.stg_dossiers
                       select * replace (staged_at - interval 1 day as staged_at) from staging.stg_dossiers limit 1""")
        # a dossier twice among the last build's rows
        con.execute("""insert into intermediate.int_dossier_facts
                       select * from intermediate.int_dossier_facts
                       where built_at = (select max(built_at) from intermediate.int_dossier_facts) limit 1""")
    target = copied_home / "dbt_test_target"
    proc = subprocess.run(
        [str(DBT_EXECUTABLE), "test", "--select", *TESTS, "--profiles-dir", ".",
         "--target-path", str(target), "--log-path", str(copied_home / "dbt_logs"),
         *vars_args(Home(copied_home), {"duckdb_threads": "1"})],
        cwd=DBT_PROJECT_DIR, env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True, text=True)
    results = {r["unique_id"].split(".")[2]: (r["status"], r["failures"])
               for r in json.loads((target / "run_results.json").read_text())["results"]
               if r["unique_id"].startswith("test.")}
    assert results == {TESTS[0]: ("pass", 0), TESTS[1]: ("fail", 1)}, proc.stdout[-3000:]
