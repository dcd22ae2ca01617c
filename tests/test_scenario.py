"""What-if scenarios (issue 15 item 4): changed rulebook values, published apart, through the real dbt build."""
from __future__ import annotations

import hashlib

import duckdb
import pytest

from dagster_project.cli import main
from dagster_project.scenario import parse_set, read_overlay
from dagster_project.user_input import UsageProblem


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_scenario_recomputes_apart_and_leaves_the_official_files_byte_identical(copied_home, capsys):
    official, warehouse = copied_home / "published" / "svcindex.duckdb", copied_home / "warehouse" / "svcindex.duckdb"
    before = sha(official), sha(warehouse)
    assert main(["scenario", "tdgq25", "--set", "TDGQ.1.max_points=25"]) == 0
    assert (sha(official), sha(warehouse)) == before
    said = capsys.readouterr().out
    assert "Published scenario tdgq25" in said and "official publication is unchanged" in said

    scenario = copied_home / "scenarios" / "tdgq25" / "svcindex.duckdb"
    con = duckdb.connect(":memory:")
    con.execute(f"attach '{official}' as o (read_only)")
    con.execute(f"attach '{scenario}' as s (read_only)")
    assert con.execute("select max_points from s.criteria where criterion_code = 'TDGQ.1' and rule_version = '2026'"
                       ).fetchone()[0] == 25
    pairs = con.execute("""
        select o.ratio, o.points, o.max_points, s.points, s.max_points
        from o.criterion_scores o join s.criterion_scores s
          using (unit_code, period_type, period, rule_version, as_of_date, criterion_code)
        where criterion_code = 'TDGQ.1' and o.denominator > 0""").fetchall()
    assert len(pairs) > 20
    for ratio, o_points, o_max, s_points, s_max in pairs:
        assert (o_max, s_max) == (20, 25)
        assert s_points == pytest.approx(25 * ratio, abs=0.006) and o_points == pytest.approx(20 * ratio, abs=0.006)
    # every other criterion scores as officially
    assert con.execute("""
        select count(*) from o.criterion_scores o join s.criterion_scores s
          using (unit_code, period_type, period, rule_version, as_of_date, criterion_code)
        where criterion_code <> 'TDGQ.1' and o.points is distinct from s.points""").fetchone()[0] == 0
    # the totals move by exactly the TDGQ.1 points added (the group is TDGQ.1 alone)
    moved = con.execute("""
        select max(abs((s.total - o.total) - (s.tdgq - o.tdgq))), count(*) filter (where s.tdgq > o.tdgq)
        from o.unit_scores o join s.unit_scores s using (unit_code, period_type, period, rule_version, as_of_date)
        where o.rated""").fetchone()
    assert moved[0] < 0.011 and moved[1] > 20
    change = con.execute("select change, official_value, scenario_value, dbt_tests_failed from s.scenario").fetchall()
    # the maxima no longer sum to 100: the dbt test says so, and does not block a scenario
    assert change == [("TDGQ.1.max_points=25", "20.0", "25", 1)]
    assert main(["sql", "--scenario", "tdgq25", "select max_points from criteria where criterion_code = 'TDGQ.1' "
                 "and rule_version = '2026'"]) == 0
    assert "25.0" in capsys.readouterr().out


def test_scenario_changes_are_checked_before_anything_is_built(copied_home, capsys):
    assert main(["scenario", "bad", "--set", "TDGQ.9.max_points=25"]) == 2
    said = capsys.readouterr().err
    assert "no row of rulebook_criteria" in said and "did you mean TDGQ.2" in said
    assert main(["scenario", "bad", "--set", "TDGQ.1.max_points=lots"]) == 2
    assert "is not a valid max_points" in capsys.readouterr().err
    assert main(["scenario", "../x", "--set", "TDGQ.1.max_points=25"]) == 2
    assert not (copied_home / "scenarios" / "bad" / "svcindex.duckdb").exists()


def test_set_and_overlay_name_the_rulebook_rows(tmp_path):
    assert [(c.seed, c.key, c.column, c.value) for c in parse_set("TDGQ.1.max_points=25")] == [
        ("rulebook_criteria", {"criterion_code": "TDGQ.1"}, "max_points", "25")]
    assert [(c.seed, c.key) for c in parse_set("CKMB.1.n_working_days@TINH=3")] == [
        ("rulebook_parameters", {"criterion_code": "CKMB.1", "parameter": "n_working_days", "block": "TINH"})]
    assert parse_set("band.Tốt=85")[0].key == {"band_name": "Tốt"}
    with pytest.raises(UsageProblem):
        parse_set("TDGQ.1.max_points")
    overlay = tmp_path / "rulebook_criteria.csv"
    overlay.write_text("criterion_code,max_points,target\nTDGQ.1,25,\nCLGQ.3,,0.6\n", encoding="utf-8")
    assert [(c.key["criterion_code"], c.column, c.value) for c in read_overlay(overlay)] == [
        ("TDGQ.1", "max_points", "25"), ("CLGQ.3", "target", "0.6")]
    wrong = tmp_path / "rules.csv"
    wrong.write_text("criterion_code,max_points\nTDGQ.1,25\n", encoding="utf-8")
    with pytest.raises(UsageProblem, match="named after the seed"):
        read_overlay(wrong)
