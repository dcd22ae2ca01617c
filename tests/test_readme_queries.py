"""The README's example queries run against a real publication and answer what they say.

Queries 1-3 on the session's home. Queries 4 and 5 find nothing there (no October dossier is
overdue yet, no unit's sync ratio falls), so they run on the home of a second run that delivered
exactly such a case (conftest.second_run_home), and must return it."""
from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest

from dagster_project.settings import PROJECT_ROOT


def readme_queries() -> list[str]:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    queries = re.findall(r"```sql\n(.*?)```", text, flags=re.S)
    # the five analyst queries, then the reform's two (unit_crosswalk, unit_scores_new_map)
    assert len(queries) == 7, "the README's example queries changed: update this test"
    return queries


def run_queries(home, queries):
    with duckdb.connect(str(home / "published" / "svcindex.duckdb"), read_only=True) as con:
        return [con.execute(q).df() for q in queries]


def test_readme_reform_queries_crosswalk_and_new_map(pipeline_home):
    """Queries 6 and 7: the 1 July 2025 reform (unit_crosswalk, unit_scores_new_map)."""
    crosswalk, new_map = run_queries(pipeline_home, readme_queries()[5:7])
    assert list(crosswalk.old_unit_code) == ["H62", "H62.X08707", "H62.X08710", "H62.X08713"]
    assert set(crosswalk.new_unit_code) <= {"H44", "H44.212", "H44.213"} and crosswalk.is_default.all()
    assert len(new_map) > 0 and "2026-10" in set(new_map.period) and not new_map.recomputed.any()
    same = (new_map.new_map_total == new_map.published_total) | (new_map.new_map_total.isna() & new_map.published_total.isna())
    assert same.all()


def test_readme_queries_1_to_3_rank_trend_and_weakest_criterion(pipeline_home):
    ranking, trend, weakest = run_queries(pipeline_home, readme_queries()[:3])
    assert set(ranking.unit_code) == {"H44", "H55"} and list(ranking.rank_in_block) == [1, 2]
    assert list(trend.period) == sorted(trend.period) and "2026-10" in set(trend.period)
    assert len(weakest) == 2 and (weakest.points_lost > 0).all() and set(weakest.unit_code) == {"H44", "H55"}


def test_readme_query_4_lists_phu_thos_overdue_october_dossiers(second_run_home):
    assert second_run_home.exit_code == 0, second_run_home.output
    (dossiers,) = run_queries(second_run_home.root, readme_queries()[3:4])
    assert len(dossiers) > 0
    assert second_run_home.overdue_dossier in set(dossiers.dossier_code)
    assert dossiers.dossier_code.str.startswith("H44").all() and dossiers.unit_code.str.startswith("H44.").all()
    assert (dossiers.received_date.astype(str).str.startswith("2026-10")).all()
    assert not dossiers.timeliness_reason.str.endswith("on_time").any()
    planted = dossiers[dossiers.dossier_code == second_run_home.overdue_dossier].iloc[0]
    assert pd.Timestamp(planted.due_date) == pd.Timestamp("2026-10-02") and pd.isna(planted.finished_at)


def test_readme_query_5_lists_units_whose_sync_ratio_fell(second_run_home):
    assert second_run_home.exit_code == 0, second_run_home.output
    (sync,) = run_queries(second_run_home.root, readme_queries()[4:5])
    assert list(sync.columns) == ["unit_code", "unit_name", "period", "previous_ratio", "ratio", "change"]
    assert len(sync) > 0 and (sync.change < 0).all() and (sync.ratio < sync.previous_ratio).all()
    row = sync[sync.unit_code == second_run_home.sync_unit]
    assert len(row) == 1, sync
    assert row.iloc[0].period == "2026-10" and row.iloc[0].ratio == 0
    assert row.iloc[0].previous_ratio == pytest.approx(second_run_home.sync_september)
