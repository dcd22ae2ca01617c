"""The README's example queries run against a fresh publication and answer what they say."""
from __future__ import annotations

import re

import duckdb

from dagster_project.settings import PROJECT_ROOT


def readme_queries() -> list[str]:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.*?)```", text, flags=re.S)


def test_readme_example_queries(pipeline_home):
    queries = readme_queries()
    assert len(queries) == 5
    with duckdb.connect(str(pipeline_home / "published" / "svcindex.duckdb"), read_only=True) as con:
        results = [con.execute(q).df() for q in queries]
    ranking, trend, weakest, dossiers, sync = results
    assert set(ranking.unit_code) == {"H44", "H55"} and list(ranking.rank_in_block) == [1, 2]
    assert list(trend.period) == sorted(trend.period) and "2026-10" in set(trend.period)
    assert (weakest.points_lost > 0).all() and set(weakest.unit_code) == {"H44", "H55"}
    assert dossiers.dossier_code.str.startswith("H44").all()
    assert list(sync.columns) == ["unit_code", "unit_name", "period", "previous_ratio", "ratio", "change"]
    assert (sync.change < 0).all()
