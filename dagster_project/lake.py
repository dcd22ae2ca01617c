"""The raw layer in an open format: Parquet under $SVCINDEX_HOME/lake/, for engines other than DuckDB.

Layout: lake/<raw table>/extract_night=<YYYY-MM-DD>/part-0.parquet, one partition per table and
extract night, holding exactly the rows raw.<table> has for that night (personal data already
hashed by the loaders; raw.quarantine stays in the warehouse). agency_hoso holds every
agency_<system> source, as the raw table does; load_log is partitioned by its extract_date.

A night is always rewritten whole: the new partition is written beside the old one (a hidden
folder, which Spark and DuckDB skip) and renamed over it, so a corrected re-delivery of a night
replaces that night's partition and nothing else. A table with no rows that night still gets a
(zero-row) file, so the lake always carries every table's schema.

DuckDB stays the engine of record; the lake is written from it after every ingest
(`SVCINDEX_LAKE=off` skips it), and `python -m dagster_project.lake` rebuilds it from a warehouse.
"""
from __future__ import annotations

import os
import shutil
import sys
import uuid
from datetime import date, datetime
from pathlib import Path

import duckdb

NIGHT_COLUMN = {"load_log": "extract_date"}  # every other raw table: _extract_date


def enabled() -> bool:
    return os.environ.get("SVCINDEX_LAKE", "on").lower() not in ("off", "0", "false", "no")


def night_column(table: str) -> str:
    return NIGHT_COLUMN.get(table, "_extract_date")


def touched_nights(con: duckdb.DuckDBPyConnection, source_names: list[str], since: datetime,
                   partition_nights: list[str]) -> list[str]:
    """The run's partition nights plus any night whose files these sources (re)loaded since `since`
    (a correction delivered under another night's key)."""
    rows = con.execute(
        "select distinct cast(extract_date as varchar) from raw.load_log "
        "where source in (select unnest(?::varchar[])) and loaded_at >= ?",
        [source_names, since]).fetchall()
    return sorted(set(partition_nights) | {r[0] for r in rows})


def export_nights(con: duckdb.DuckDBPyConnection, lake: Path, table: str, nights: list[str]) -> int:
    """Rewrite the lake partitions of `table` for these nights from raw.<table>; returns rows written."""
    written = 0
    for night in sorted(set(nights)):
        day = date.fromisoformat(str(night))  # also refuses anything that is not a date
        final = lake / table / f"extract_night={day.isoformat()}"
        staging = lake / table / f".extract_night={day.isoformat()}.{uuid.uuid4().hex}.tmp"
        staging.mkdir(parents=True)
        try:
            # ordered so the same rows give the same file bytes (idempotent re-runs)
            con.execute(
                f"copy (select * from raw.{table} where {night_column(table)} = date '{day.isoformat()}' "
                f"order by all) to '{staging / 'part-0.parquet'}' (format parquet, compression zstd)")
            written += con.execute(
                f"select count(*) from raw.{table} where {night_column(table)} = date '{day.isoformat()}'").fetchone()[0]
            retired = None
            if final.exists():
                retired = final.with_name(f".{final.name}.{uuid.uuid4().hex}.old")
                final.rename(retired)
            staging.rename(final)
            if retired is not None:
                shutil.rmtree(retired, ignore_errors=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return written


def export_all(con: duckdb.DuckDBPyConnection, lake: Path, tables: list[str]) -> dict[str, int]:
    """Every night of every table (building the lake of an existing warehouse). A night the load
    log knows and a table has no rows for gets its zero-row partition, as ingest writes it."""
    out = {}
    loaded = {r[0] for r in con.execute("select distinct cast(extract_date as varchar) from raw.load_log").fetchall()}
    for table in tables:
        nights = {r[0] for r in con.execute(
            f"select distinct cast({night_column(table)} as varchar) from raw.{table}").fetchall()}
        out[table] = export_nights(con, lake, table, sorted(nights | loaded))
    return out


def lake_tables() -> list[str]:
    """The raw tables dbt reads (its `raw` sources), i.e. what another engine needs."""
    from .sources import raw_fields

    return ["load_log", *raw_fields()]


def main(argv: list[str]) -> int:
    """python -m dagster_project.lake  — rebuild $SVCINDEX_HOME/lake from the warehouse's raw tables."""
    from .settings import home
    from .warehouse import connection

    h = home()
    with connection(h.warehouse) as con:
        counts = export_all(con, h.lake, lake_tables())
    for table, n in counts.items():
        print(f"lake/{table}: {n} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
