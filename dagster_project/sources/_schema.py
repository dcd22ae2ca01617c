"""The raw layer's tables: each source's DDL generated from its declaration (SourceSpec fields).

A column is written once, in the source's module: its name, kind (-> SQL type), whether it is
required (-> not null) and its code list. raw_schema.sql keeps only the loader's own tables
(load_log, quarantine, rejected_files), which no source declares.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from . import agency, bcqg_tiepnhan, csdl_tthc, csdl_tthc_donvi, dvcqg_coquan, dvcqg_danhgia, dvcqg_dvctt, dvcqg_hoso, dvcqg_pakn
from ._spec import LINEAGE, Field, SourceSpec

LOADER_SCHEMA = Path(__file__).with_name("raw_schema.sql")

# Fixed sources in load order within a night: reference snapshots (units, procedures) first,
# because the other sources' codes are checked against them. Agency systems come last.
SOURCES: dict[str, SourceSpec] = {
    m.SPEC.name: m.SPEC
    for m in (dvcqg_coquan, csdl_tthc, csdl_tthc_donvi, dvcqg_dvctt, dvcqg_hoso, dvcqg_pakn, dvcqg_danhgia, bcqg_tiepnhan)
}


def raw_fields() -> dict[str, tuple[Field, ...]]:
    """raw table name (without schema) -> its declared fields, in column order."""
    tables = {spec.table.removeprefix("raw."): spec.fields for spec in SOURCES.values()}
    tables["agency_hoso"] = agency.FIELDS   # every agency system lands in one table
    return tables


def raw_columns(table: str) -> list[str]:
    """Every column of a raw data table: its fields, then the lineage columns."""
    return [f.name for f in raw_fields()[table]] + [name for name, _ in LINEAGE]


def reference_columns(table: str) -> dict[str, str]:
    """The batch gate's extra columns over a raw table's rows: whether each record's unit and
    procedure codes are known (column -> SQL). The unit directory has no unit code to check
    against another table, the catalogue no procedure code; agency records are not held to the
    catalogue here (MaTTHC is optional in their mapping)."""
    columns = raw_columns(table)
    known = {}
    if "MaCoQuan" in columns and table != "dvcqg_coquan":
        known["unit_known"] = "MaCoQuan in (select MaCoQuan from raw.dvcqg_coquan)"
    if "MaTTHC" in columns and table not in ("csdl_tthc", "agency_hoso"):
        known["procedure_known"] = "MaTTHC in (select MaTTHC from raw.csdl_tthc)"
    return known


def table_ddl(table: str, fields: tuple[Field, ...]) -> str:
    width = max(len(f.name) for f in fields)
    lines = [f"    {f.name:<{width}}  {f.sql_type}{' not null' if f.required else ''},"
             + (f"  -- {f.note}" if f.note else "") for f in fields]
    lineage = ", ".join(f"{name} {kind} not null" for name, kind in LINEAGE)
    return f"create table if not exists raw.{table} (\n" + "\n".join(lines) + f"\n    {lineage}\n);"


def raw_ddl() -> str:
    """The whole raw schema: the loader's tables, then one table per declared source."""
    return "\n\n".join([LOADER_SCHEMA.read_text(encoding="utf-8"),
                        *(table_ddl(t, fields) for t, fields in raw_fields().items())])


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(raw_ddl())


if __name__ == "__main__":  # python -m dagster_project.sources._schema: print the DDL, to read it
    print(raw_ddl())
