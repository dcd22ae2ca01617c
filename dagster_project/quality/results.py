"""Where the gates' outcomes are kept: ops.quality_results in the warehouse.

Every gate writes here (the batch gate at ingest, the score gates before publication);
publication copies the run's rows into the published file and the CLI reads them back.
"""
from __future__ import annotations

from datetime import datetime, timezone

QUALITY_DDL = """
create schema if not exists ops;
create table if not exists ops.quality_results (
    run_id varchar, checked_at timestamp, asset varchar, suite varchar, expectation varchar,
    column_name varchar, severity varchar, success boolean, observed varchar);
"""


def ensure_quality_schema(con) -> None:
    con.execute(QUALITY_DDL)


def record_quality(con, run_id: str, asset: str, gate_results) -> None:
    """Keep every expectation outcome of the run in the warehouse (publication and reports read it)."""
    ensure_quality_schema(con)
    rows = [(run_id, datetime.now(timezone.utc).replace(tzinfo=None), asset, o.suite, o.expectation, o.column,
             o.severity, o.success, o.observed) for g in gate_results for o in g.outcomes]
    con.execute("delete from ops.quality_results where run_id = ? and asset = ?", [run_id, asset])
    if rows:
        con.executemany("insert into ops.quality_results values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
