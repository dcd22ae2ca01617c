"""Publication: the analyst-facing DuckDB file, replaced only by an atomic swap.

The new file is written beside the old one, from a copy of it (BY_MONTH), and renamed over it
(os.replace is atomic on one filesystem). An analyst holding the old file open keeps reading the old inode without error.
A new process sees the new night. Inside one Python process DuckDB caches one database instance
per path: `duckdb.connect(path)` while another connection of the process still has the file open
returns that instance, i.e. the old file. `open_published` avoids the cache (an in-memory
database that ATTACHes the file, which opens the current inode). A failed night never reaches
this code.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .quality.results import ensure_quality_schema
from .pause import pause_point
from .waivers import WAIVERS_DDL, published_waivers_sql
from .warehouse import connection

# published table -> warehouse relation (spec/published.md is the interface; marts are dbt's)
PUBLISHED_TABLES: dict[str, str] = {
    "unit_scores": "marts.fct_unit_scores",
    "group_scores": "marts.fct_group_scores",
    "criterion_scores": "marts.fct_criterion_scores",
    "criteria": "marts.dim_criterion",
    "bands": "marts.dim_band",
    "units": "marts.dim_unit",
    "dossier_criteria": "marts.fct_dossier_criteria",
    "unit_ancestors": "marts.dim_unit_ancestors",
    "unit_procedures": "marts.fct_unit_procedures",
    "procedure_usage": "marts.fct_procedure_usage",
    "feedback_criteria": "marts.fct_feedback_criteria",
    "procedures": "marts.dim_procedure",
    "procedure_announcements": "marts.fct_procedure_announcements",
    "sync_gaps": "marts.fct_sync_gaps",
    "sync_gap_summary": "marts.fct_sync_gap_summary",
    "at_risk_dossiers": "marts.fct_at_risk_dossiers",
    "points_at_stake": "marts.fct_points_at_stake",
    # the 1 July 2025 reform (issue 15b): old unit -> new unit, and every period on the new map
    "unit_crosswalk": "marts.dim_unit_crosswalk",
    "unit_scores_new_map": "marts.fct_unit_scores_new_map",
}

# The tables of one row per dossier, or per unit, procedure and month: a national year is about
# 30 M and 27 M rows, 22 of the 25 s of a publication that writes them whole. The new file
# starts as a copy of the last publication, and of these tables only the months whose rows differ
# from it (in number, or in a hash of every column) are deleted and inserted again: a night
# rewrites the month it brought, and a month a late or corrected file changed.
BY_MONTH = ("dossier_criteria", "procedure_usage")
MONTH = "received_month"
# Written by every publication besides PUBLISHED_TABLES (a copied file has them already).
OWN_TABLES = ("quality_results", "restatements", "waivers", "publication_log")

OPS_DDL = """
create schema if not exists ops;
create table if not exists ops.publication_log (
    run_id varchar, published_at timestamp, as_of_date date, rule_version varchar,
    row_counts json, gate_summary json);
-- waivers: the operator waivers this publication was the first to use; inputs: fingerprint of
-- what it was built from (landing manifests, rulebook, options), so a run with nothing new publishes nothing
alter table ops.publication_log add column if not exists waivers json;
alter table ops.publication_log add column if not exists inputs varchar;
create table if not exists ops.restatements (
    run_id varchar, detected_at timestamp, unit_code varchar, period_type varchar, period varchar,
    rule_version varchar, old_total double, new_total double, reason varchar);
"""

# What the score gate compares tonight's totals with (total_move): the totals of the last
# publication, kept in the warehouse by the publication itself, so the gate never reads the
# published file. Per period, the rows of its latest as-of date, as the published table has them.
SNAPSHOT_SQL = """
create or replace table ops.published_snapshot as
select ? as run_id, unit_code, period_type, period, rule_version, as_of_date, total
from marts.fct_unit_scores
qualify as_of_date = max(as_of_date) over (partition by period)
"""

# A period that had already ended at the last publication is closed; when its total changes,
# late data restated it.
RESTATEMENTS_SQL = """
select ? as run_id, ?::timestamp as detected_at, n.unit_code, n.period_type, n.period, n.rule_version,
       p.total as old_total, n.total as new_total,
       'late data changed ' || coalesce((
            select string_agg(distinct nc.criterion_code, ', ' order by nc.criterion_code)
            from wh.marts.fct_criterion_scores nc
            join prev.criterion_scores pc using (unit_code, period_type, period, rule_version, criterion_code)
            where nc.unit_code = n.unit_code and nc.period_type = n.period_type and nc.period = n.period
              and nc.rule_version = n.rule_version
              and (nc.numerator is distinct from pc.numerator or nc.denominator is distinct from pc.denominator)),
            'the scores')
       -- corrected deliveries (raw.load_log, written by the loaders) since the last publication
       || coalesce('; after correction of ' || (
            select string_agg(l.file_name || ' (sha256 ' || left(l.replaces_sha256, 12) || '… replaced by '
                              || left(l.file_sha256, 12) || '…)', ', ' order by l.file_name)
            from wh.raw.load_log l
            where l.replaces_sha256 is not null and l.status in ('loaded', 'retracted', 'superseded')
              and timezone('UTC', l.loaded_at::timestamptz) > (select max(published_at) from prev.publication_log)), '')
       as reason
from wh.marts.fct_unit_scores n
join prev.unit_scores p using (unit_code, period_type, period, rule_version)
where p.period_end < (select max(as_of_date) from prev.publication_log)
  and n.total is distinct from p.total
order by n.unit_code, n.period_type, n.period
"""


@dataclass
class Publication:
    path: Path
    run_id: str
    as_of_date: str | None
    rule_version: str | None
    row_counts: dict[str, int]
    restatements: int
    seconds: dict[str, float]               # per published table, and the file's copy and last write: where the time goes
    months_rewritten: dict[str, list[str]]  # per BY_MONTH table: the months written (all, in a new file)


def ensure_ops_schema(con) -> None:
    ensure_quality_schema(con)
    con.execute(OPS_DDL)
    con.execute(WAIVERS_DDL)


def open_published(path: Path):
    """A read-only connection that sees the file as it is now, even if this process still holds a
    connection to an earlier publication (a plain duckdb.connect(path) would return that cached
    instance). Tables are addressed unqualified, as with duckdb.connect(path)."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute(f"attach '{path}' as published (read_only)")
    con.execute("use published")
    return con


def publish(warehouse: Path, published: Path, run_id: str, inputs: str | None = None,
            extra: dict[str, str] | None = None) -> Publication:
    """Copy PUBLISHED_TABLES (and `extra`: table -> warehouse relation, e.g. a scenario's own table)
    from the warehouse into a new file and swap it in over `published`."""
    published.parent.mkdir(parents=True, exist_ok=True)
    for stale in published.parent.glob(f".{published.name}.*.tmp*"):  # left by a killed run, .wal included
        stale.unlink()
    tmp = published.with_name(f".{published.name}.{run_id}.tmp")
    with connection(warehouse) as wh:
        ensure_ops_schema(wh)
        as_of, rule_version = wh.execute(
            "select max(as_of_date)::varchar, max(rule_version) from marts.fct_unit_scores").fetchone()
        gate = wh.execute("""
            select coalesce(json_group_object(suite || '.' || expectation || coalesce('(' || column_name || ')', ''),
                                              case when success then 'pass' else severity || '-fail' end), '{}')
            from ops.quality_results where run_id = ?""", [run_id]).fetchone()[0]
    seconds: dict[str, float] = {}
    try:
        if published.exists():
            started = time.perf_counter()
            shutil.copyfile(published, tmp)  # a new inode: readers of the old file keep theirs
            seconds["(copy of the last publication)"] = round(time.perf_counter() - started, 2)
        with connection(tmp) as con:
            con.execute(f"attach '{warehouse}' as wh (read_only)")
            tables = {**PUBLISHED_TABLES, **(extra or {})}
            for (stale,) in con.execute("select table_name from duckdb_tables() where database_name = current_database()"
                                        ).fetchall():
                if stale not in tables and stale not in OWN_TABLES:
                    con.execute(f"drop table {stale}")
            counts: dict[str, int] = {}
            rewritten: dict[str, list[str]] = {}
            for table, source in tables.items():
                started = time.perf_counter()
                if table in BY_MONTH:
                    rewritten[table] = _publish_by_month(con, table, f"wh.{source}")
                else:
                    con.execute(f"create or replace table {table} as select * from wh.{source}")
                counts[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
                seconds[table] = round(time.perf_counter() - started, 2)
            con.execute("create or replace table quality_results as select * from wh.ops.quality_results where run_id = ?", [run_id])
            restated = _restatements(con, published, run_id)
            con.execute("create or replace table restatements as select * from wh.ops.restatements union all "
                        "select * from new_restatements order by detected_at, unit_code, period_type, period")
            con.execute(f"create or replace table waivers as {published_waivers_sql()}", [run_id])
            used = [f"{s} {n}: {r} ({who})" for s, n, r, who in con.execute(
                "select source, night, reason, waived_by from waivers where run_id = ? order by waived_at", [run_id]).fetchall()]
            con.execute("create or replace table publication_log as select * from wh.ops.publication_log")
            con.execute("insert into publication_log values (?, ?, ?, ?, ?, ?, ?, ?)",
                        [run_id, datetime.now(timezone.utc).replace(tzinfo=None), as_of, rule_version,
                         json.dumps(counts), gate, json.dumps(used, ensure_ascii=False) if used else None, inputs])
            log_row = con.execute("select * from publication_log where run_id = ?", [run_id]).fetchall()
            pause_point("publication")  # the temp file and its .wal exist now
            restated_rows = con.execute("select * from new_restatements").fetchall()
            con.execute("detach wh")
            started = time.perf_counter()
            con.execute("checkpoint")
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        seconds["(checkpoint and fsync)"] = round(time.perf_counter() - started, 2)
        os.replace(tmp, published)
        directory = os.open(published.parent, os.O_RDONLY)  # make the rename itself durable
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    finally:
        tmp.unlink(missing_ok=True)
    with connection(warehouse) as wh:
        wh.executemany("insert into ops.publication_log values (?, ?, ?, ?, ?, ?, ?, ?)", log_row)
        wh.execute("update ops.waivers set run_id = ? where run_id is null", [run_id])
        if restated_rows:
            wh.executemany("insert into ops.restatements values (?, ?, ?, ?, ?, ?, ?, ?, ?)", restated_rows)
        wh.execute(SNAPSHOT_SQL, [run_id])
    return Publication(published, run_id, as_of, rule_version, counts, restated, seconds, rewritten)


def _publish_by_month(con, table: str, source: str) -> list[str]:
    """Bring `table` of the copied publication to `source`'s rows by rewriting only the months that
    differ; written whole when the file has no such table or its columns changed. The months
    written, as text ('None' for rows without a month)."""
    columns = con.execute(f"select column_name, column_type from (describe {source})").fetchall()
    present = con.execute("select count(*) from duckdb_tables() where database_name = current_database() "
                          "and table_name = ?", [table]).fetchone()[0]
    if not present or con.execute(f"select column_name, column_type from (describe {table})").fetchall() != columns:
        con.execute(f"create or replace table {table} as select * from {source}")
        return [str(m) for (m,) in con.execute(f"select distinct {MONTH} from {table} order by 1").fetchall()]
    quoted = ", ".join(f'"{name}"' for name, _ in columns)
    row_hash = f"sum(hash({quoted})::hugeint)"
    con.execute(f"""
        create or replace temp table changed_months as
        select coalesce(new.m, old.m) as m
        from (select {MONTH} as m, count(*) as n, {row_hash} as h from {source} group by all) as new
        full join (select {MONTH} as m, count(*) as n, {row_hash} as h from {table} group by all) as old
          on new.m is not distinct from old.m
        where new.n is distinct from old.n or new.h is distinct from old.h""")
    changed = f"exists (select 1 from changed_months c where c.m is not distinct from t.{MONTH})"
    con.execute(f"delete from {table} as t where {changed}")
    con.execute(f"insert into {table} select * from {source} as t where {changed}")
    return [str(m) for (m,) in con.execute("select m from changed_months order by 1").fetchall()]


def _restatements(con, previous: Path, run_id: str) -> int:
    """Fill temp table new_restatements: closed periods whose total changed since the last publication."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    if previous.exists():
        con.execute(f"attach '{previous}' as prev (read_only)")
        con.execute(f"create temp table new_restatements as {RESTATEMENTS_SQL}", [run_id, now])
        con.execute("detach prev")
    else:
        con.execute("create temp table new_restatements as select * from wh.ops.restatements limit 0")
    return con.execute("select count(*) from new_restatements").fetchone()[0]
