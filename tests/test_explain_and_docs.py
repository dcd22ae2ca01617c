"""Analyst access: `svcindex explain`, and every published column described in the dbt docs."""
from __future__ import annotations

import json
import re

import duckdb

from dagster_project.cli import main
from dagster_project.explain import explain
from dagster_project.publish import PUBLISHED_TABLES
from dagster_project.settings import DBT_PROJECT_DIR


def test_explain_lists_exactly_the_dossiers_counting_against_the_unit(pipeline_home):
    published = pipeline_home / "published" / "svcindex.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        period, num, den = con.execute("""select period, numerator, denominator from criterion_scores
            where unit_code = 'H44' and criterion_code = 'TDGQ.1' and period_type = 'month'
            order by denominator - numerator desc, period desc limit 1""").fetchone()
    assert den > num, "the sample should have a month with overdue dossiers, or the list below is empty"
    text = explain(published, "H44", period, "TDGQ.1", limit=1000)
    assert f"numerator   {num}" in text and f"denominator {den}" in text
    count = int(re.search(r"(\d+) dossier\(s\) in the denominator but not the numerator", text).group(1))
    assert count == den - num
    listed = [line for line in text.splitlines() if line.startswith("  H44")]
    assert len(listed) == count > 0 and all("overdue at " in line for line in listed)


def test_explain_cli_names_a_missing_score(pipeline_home, capsys):
    code = main(["explain", "--unit", "H44", "--period", "1999-01", "--criterion", "TDGQ.1"])
    said = capsys.readouterr().err
    assert code == 2
    assert "--period 1999-01: nothing published for that period" in said and "2026-10" in said


def test_every_published_column_is_described_in_dbt(pipeline_home):
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    with duckdb.connect(str(pipeline_home / "published" / "svcindex.duckdb"), read_only=True) as con:
        for table, relation in PUBLISHED_TABLES.items():
            described = {c: d["description"] for c, d in models[relation.split(".")[1]]["columns"].items()}
            columns = [r[0] for r in con.execute(f"describe {table}").fetchall()]
            missing = [c for c in columns if not described.get(c)]
            assert not missing, f"{table}: columns without a description: {missing}"
