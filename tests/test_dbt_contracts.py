"""dbt item 7 of issue 14: every published mart is under an enforced contract (a data type for each
column) holding at least the columns spec/published.md promises, and every staging column is
described. Read from the manifest `make setup` parses; the contracts themselves are enforced by
dbt in every build (DuckDB and the Spark parity run)."""
from __future__ import annotations

import json

import duckdb

from dagster_project.publish import PUBLISHED_TABLES

# spec/published.md: the columns each table has "at least" (a contract may add, never drop)
KEYS = ["unit_code", "unit_name", "unit_type", "block", "parent_code", "period_type", "period", "as_of_date",
        "rule_version"]
SPEC_COLUMNS = {
    "unit_scores": KEYS + ["ckmb", "tdgq", "clgq", "tttt", "mdsh", "mdhl", "total", "band", "rank_in_block",
                           "rank_in_parent", "total_change", "rated", "coverage_first_night",
                           "coverage_last_night", "coverage_complete"],
    "group_scores": KEYS + ["group_code", "points", "max_points"],
    "criterion_scores": KEYS + ["criterion_code", "numerator", "denominator", "ratio", "points", "max_points",
                                "policy_applied", "inherited_from"],
    "criteria": ["rule_version", "criterion_code", "name_vi", "name_en", "group_code", "max_points", "curve",
                 "target", "period_basis"],
    "units": ["unit_code", "unit_name", "unit_type", "parent_code", "province_code", "valid_from", "valid_to"],
}
# names DuckDB and Spark both cast to (`cast(null as <type>)` is how dbt checks a contract)
PORTABLE_TYPES = {"string", "double", "bigint", "integer", "date", "timestamp", "boolean"}


def _manifest() -> dict:
    from dagster_project.assets.transform import dbt_project

    return json.loads(dbt_project.manifest_path.read_text())


def _models() -> dict[str, dict]:
    return {n["name"]: n for n in _manifest()["nodes"].values() if n["resource_type"] == "model"}


def test_published_marts_are_under_enforced_portable_contracts():
    models = _models()
    for table, relation in PUBLISHED_TABLES.items():
        node = models[relation.split(".")[1]]
        assert node["config"]["contract"]["enforced"], table
        types = {name: col.get("data_type") for name, col in node["columns"].items()}
        assert types and all(t in PORTABLE_TYPES for t in types.values()), (table, types)
        missing = [c for c in SPEC_COLUMNS.get(table, []) if c not in types]
        assert missing == [], (table, missing)


def test_every_staging_model_is_described_and_tested():
    manifest = _manifest()
    models = {n["unique_id"]: n for n in manifest["nodes"].values()
              if n["resource_type"] == "model" and n["name"].startswith("stg_")}
    tested = {n.get("attached_node") for n in manifest["nodes"].values() if n["resource_type"] == "test"}
    assert len(models) >= 10
    for uid, node in models.items():
        assert node["description"], uid
        undescribed = [c for c, col in node["columns"].items() if not col.get("description")]
        assert node["columns"] and undescribed == [], (uid, undescribed)
        assert uid in tested, f"{uid} has no dbt test"


def test_staging_yaml_lists_every_column_the_models_build(pipeline_home):
    """The YAML documents every column of every staging table the nightly run built."""
    with duckdb.connect(str(pipeline_home / "warehouse" / "svcindex.duckdb"), read_only=True) as con:
        built = con.execute("select table_name, list(column_name order by column_index) from duckdb_columns() "
                            "where schema_name = 'staging' group by table_name").fetchall()
    models = _models()
    assert len(built) >= 10
    for table, columns in built:
        assert [c for c in columns if c not in models[table]["columns"]] == [], table
