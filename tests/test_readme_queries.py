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
    assert len(queries) == 7  # the five analyst queries, then the reform's two (unit_crosswalk, unit_scores_new_map)
    with duckdb.connect(str(pipeline_home / "published" / "svcindex.duckdb"), read_only=True) as con:
        results = [con.execute(q).df() for q in queries]
    ranking, trend, weakest, dossiers, sync, crosswalk, new_map = results
    assert list(crosswalk.old_unit_code) == ["H62", "H62.X08707", "H62.X08710", "H62.X08713"]
    assert set(crosswalk.new_unit_code) <= {"H44", "H44.212", "H44.213"} and crosswalk.is_default.all()
    assert "2026-10" in set(new_map.period) and not new_map.recomputed.any()
    same = (new_map.new_map_total == new_map.published_total) | (new_map.new_map_total.isna() & new_map.published_total.isna())
    assert same.all()
    assert set(ranking.unit_code) == {"H44", "H55"} and list(ranking.rank_in_block) == [1, 2]
    assert list(trend.period) == sorted(trend.period) and "2026-10" in set(trend.period)
    assert (weakest.points_lost > 0).all() and set(weakest.unit_code) == {"H44", "H55"}
    assert dossiers.dossier_code.str.startswith("H44").all()
    assert list(sync.columns) == ["unit_code", "unit_name", "period", "previous_ratio", "ratio", "change"]
    assert (sync.change < 0).all()
