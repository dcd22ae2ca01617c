"""The two `unique` tests on dossier-keyed incremental models read the rows the last build wrote
(`__newest__`, dbt/macros/get_where_subquery.sql), not the whole history: a duplicate among those
rows fails, one stamped by an earlier build is not read. On a copy of the session's warehouse."""
from __future__ import annotations

import json

import duckdb

from conftest import run_dbt

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
    proc, target = run_dbt(copied_home, "test", "--select", *TESTS)
    results = {r["unique_id"].split(".")[2]: (r["status"], r["failures"])
               for r in json.loads((target / "run_results.json").read_text())["results"]
               if r["unique_id"].startswith("test.")}
    assert results == {TESTS[0]: ("pass", 0), TESTS[1]: ("fail", 1)}, proc.stdout[-3000:]
