"""Each fact in one place: the raw DDL and the batch suites come from the source declarations, the
simulator writes the agency mappings' layouts, dbt's profile gets the settings' values, and the
score gate compares with the warehouse's own snapshot of the last publication."""
from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import duckdb
import yaml

from dagster_project.quality.gate import load_suite
from dagster_project.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, Home, dbt_vars, duckdb_settings
from dagster_project.sources import agency, ensure_raw_schema, raw_columns, raw_fields, reference_columns


def test_raw_tables_are_the_declared_fields():
    con = duckdb.connect()
    ensure_raw_schema(con)
    for table, fields in raw_fields().items():
        rows = con.execute("select column_name, data_type, is_nullable from information_schema.columns "
                           "where table_schema = 'raw' and table_name = ? order by ordinal_position", [table]).fetchall()
        assert [r[0] for r in rows] == raw_columns(table), table
        declared = {f.name: f for f in fields}
        for name, data_type, nullable in rows:
            if name in declared:
                con.execute(f"create or replace temp table declared (x {declared[name].sql_type})")
                assert data_type == con.execute("select data_type from information_schema.columns "
                                                "where table_name = 'declared'").fetchone()[0], f"{table}.{name}"
                assert (nullable == "NO") == declared[name].required, f"{table}.{name}"
    assert {"dvcqg_hoso", "agency_hoso", "csdl_tthc_donvi"} <= set(raw_fields())


def test_batch_suites_take_columns_required_fields_and_code_lists_from_the_declaration():
    for table, fields in raw_fields().items():
        suite = load_suite(f"{table}_batch")["expectations"]
        column_sets = [e["kwargs"]["column_set"] for e in suite if e["type"] == "expect_table_columns_to_match_set"]
        assert column_sets == [raw_columns(table) + list(reference_columns(table))], table
        in_set = {e["kwargs"]["column"]: e["kwargs"]["value_set"] for e in suite
                  if e["type"] == "expect_column_values_to_be_in_set"}
        for f in fields:
            if f.codes is not None:
                assert in_set[f.name] == list(f.codes), f"{table}.{f.name}"
        not_null = {e["kwargs"]["column"] for e in suite if e["type"] == "expect_column_values_to_not_be_null"
                    and "mostly" not in e["kwargs"]}
        assert {f.name for f in fields if f.required} <= not_null, table
        # ... and the suite file itself writes none of them again
        own = json.loads((EXPECTATIONS_DIR / f"{table}_batch.json").read_text(encoding="utf-8"))["expectations"]
        assert not [e for e in own if e["type"] == "expect_table_columns_to_match_set"], table
        assert not [e for e in own if e["kwargs"].get("column") in {f.name for f in fields if f.codes is not None}
                    and e["type"] in ("expect_column_values_to_be_in_set", "expect_column_values_to_be_between")], table


def test_a_code_outside_the_declared_list_fails_the_batch_suite():
    import pandas as pd

    from dagster_project.quality.gate import validate

    columns = raw_columns("dvcqg_danhgia")
    row = {c: None for c in columns} | {"MaHoSo": "H44-261001-1", "NgayDanhGia": pd.Timestamp("2026-10-01 09:00"),
                                        "_file": "f", "_line": 1, "_extract_date": pd.Timestamp("2026-10-01"),
                                        "_loaded_at": pd.Timestamp("2026-10-02")}
    good = pd.DataFrame([row | {"MucDo": 5}, row | {"MucDo": 1, "_line": 2, "NgayDanhGia": pd.Timestamp("2026-10-01 10:00")}])
    assert validate("dvcqg_danhgia_batch", good).passed
    bad = good.assign(MucDo=[5, 6])
    result = validate("dvcqg_danhgia_batch", bad)
    assert [(o.expectation, o.column) for o in result.blocking_failures] == [("expect_column_values_to_be_in_set", "MucDo")]


def test_the_simulator_writes_each_agency_system_in_its_mapping_layout(pipeline_home):
    landing = pipeline_home / "landing"
    systems = sorted(p.name.removeprefix(agency.PREFIX) for p in landing.glob(f"{agency.PREFIX}*"))
    assert systems == agency.systems()
    for system in systems:
        mapping = agency.mapping(system)
        part = sorted((landing / f"{agency.PREFIX}{system}").glob("*/part-*"))[0]
        opener = gzip.open if part.suffix == ".gz" else open
        with opener(part, "rt", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f, delimiter=mapping["delimiter"]))
        assert rows[0] == list(mapping["columns"]), system
        assert len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows), system
        for column, labels in mapping.get("values", {}).items():
            i = list(mapping["columns"].values()).index(column)
            assert {r[i] for r in rows[1:]} <= set(labels), f"{system}.{column}"


def test_the_dbt_profile_reads_the_warehouse_and_duckdb_settings_from_dbt_vars(tmp_path):
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())["svcindex"]["outputs"]["dev"]
    assert "env_var" not in json.dumps(profile)   # nothing of the dev target comes from the environment
    h = Home(tmp_path)
    v = dbt_vars(h)
    assert v["svcindex_warehouse"] == str(h.warehouse)
    assert v["duckdb_memory_limit"] == duckdb_settings()["memory_limit"]
    assert v["duckdb_threads"] == duckdb_settings()["threads"]
    # the spill folder dbt gets is the one the Python connections use
    from dagster_project.warehouse import connection

    with connection(h.warehouse) as con:
        spill = con.execute("select current_setting('temp_directory')").fetchone()[0]
    assert spill == v["duckdb_temp_directory"]


def test_the_score_gate_measures_moves_against_the_warehouse_snapshot(copied_home):
    from dagster_project.assets.publication import SCORE_SUITES, UNIT_SCORES, score_query

    def score_frame(con, suite_sql):
        return con.execute(score_query(con, suite_sql)).df()

    warehouse = copied_home / "warehouse" / "svcindex.duckdb"
    (copied_home / "published" / "svcindex.duckdb").unlink()   # the gate must not need the published file
    with duckdb.connect(str(warehouse)) as con:
        run_id, = con.execute("select max(run_id) from ops.published_snapshot").fetchone()
        published_run, = con.execute("select run_id from ops.publication_log order by published_at desc limit 1").fetchone()
        assert run_id == published_run
        frame = score_frame(con, SCORE_SUITES[UNIT_SCORES][1])
        scored = frame[frame.total.notna()]
        assert len(scored) > 0 and (scored.total_move == 0).all()   # nothing changed since the publication
        unit = scored.active_unit.iloc[0]
        con.execute("update ops.published_snapshot set total = total - 20 where unit_code = ?", [unit])
        moved = score_frame(con, SCORE_SUITES[UNIT_SCORES][1]).set_index("active_unit").total_move
        assert round(moved[unit], 6) == 20 and (moved.drop(unit).dropna() == 0).all()
        con.execute("drop table ops.published_snapshot")   # before the first publication: no move at all
        assert score_frame(con, SCORE_SUITES[UNIT_SCORES][1]).total_move.isna().all()
