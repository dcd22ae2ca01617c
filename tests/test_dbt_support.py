"""Shared by the tests/test_dbt_*.py files: a tmp warehouse with hand-written raw rows, built by the
real dbt project (one `dbt build` per fixture), and small readers of its marts. Holds no tests."""
from __future__ import annotations

import os
import subprocess
from datetime import date, datetime
from pathlib import Path

import duckdb
import yaml

from dagster_project.dbt_project import vars_args
from dagster_project.sources import ensure_raw_schema
from dagster_project.settings import DBT_EXECUTABLE as DBT, DBT_PROJECT_DIR, Home

LINEAGE = {"_file": "fixture", "_line": 1, "_extract_date": date(2026, 1, 1), "_loaded_at": datetime(2026, 1, 1)}


def create_raw(warehouse: Path) -> duckdb.DuckDBPyConnection:
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse))
    ensure_raw_schema(con)  # the loaders' own DDL, generated from the source declarations
    return con


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    """Insert dict rows by column name; lineage columns are filled in when absent."""
    if not rows:
        return
    if table.startswith(("dvcqg_", "csdl_", "bcqg_", "agency_")):
        rows = [{**LINEAGE, **r} for r in rows]
    cols = list(dict.fromkeys(k for r in rows for k in r))
    con.executemany(
        f"insert into raw.{table} ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})",
        [[r.get(c) for c in cols] for r in rows],
    )


def dbt_build(home: Path, *extra: str) -> None:
    """`dbt build` on this fixture's warehouse: models, seeds and data tests. dbt's unit tests are
    left out: they bring their own input rows, so they would only repeat what the session's nightly
    run (a full `dbt build`) already ran."""
    env = {**os.environ, "SVCINDEX_HOME": str(home), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    extra_vars: dict = {}
    if "--vars" in extra:  # the test's own vars (YAML, as dbt takes them) join the profile's
        i = extra.index("--vars")
        extra_vars, extra = yaml.safe_load(extra[i + 1]), (*extra[:i], *extra[i + 2:])
    extra = (*extra, *vars_args(Home(home), {"duckdb_threads": "1", **extra_vars}))
    proc = subprocess.run(
        [str(DBT), "build", "--profiles-dir", ".", "--target-path", str(home / "dbt_target"),
         "--log-path", str(home / "dbt_logs"), "--exclude", "test_type:unit", *extra],
        cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]


def query(warehouse: Path, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def criterion(warehouse: Path, unit: str, period: str, code: str) -> tuple:
    """(numerator, denominator, points, max_points, policy_applied) of one criterion score."""
    rows = query(
        warehouse,
        "select numerator, denominator, points, max_points, policy_applied from marts.fct_criterion_scores"
        " where unit_code = ? and period = ? and criterion_code = ?",
        unit, period, code,
    )
    assert len(rows) == 1, f"{unit} {period} {code}: {rows}"
    return rows[0]
