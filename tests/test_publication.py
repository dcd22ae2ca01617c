"""Publication: warnings report without blocking, readers are never locked out, restatements are logged."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd

from conftest import files_frame
from dagster_project.quality.gate import validate


def test_warning_reports_without_blocking_and_blocking_blocks():
    clean, warned, blocked = (validate("ingest_files", files_frame(r)) for r in (0.0, 0.005, 0.05))
    assert clean.passed and not clean.warnings
    assert warned.passed and [w.column for w in warned.warnings] == ["quarantine_rate"]
    assert not blocked.passed and [b.column for b in blocked.blocking_failures] == ["quarantine_rate"]


def test_a_suite_declared_again_elsewhere_or_edited_is_validated_as_it_stands(tmp_path, monkeypatch):
    """The gate declares a suite once per process and content (gate._checkpoint). Another process
    declaring it again in the same home (another run, `svcindex gate`) leaves the declaration held
    here stale in GE's eyes, and an edited suite is a new one: neither may stop or stale a gate."""
    from dagster_project.quality import gate

    docs = tmp_path / "quality" / "data_docs"
    docs.mkdir(parents=True)
    assert not validate("ingest_files", files_frame(0.05), docs).passed
    with monkeypatch.context() as m:  # another process: its own context on the same stores
        m.setattr(gate, "_context", gate._context.__wrapped__)
        spec = json.dumps(gate.load_suite("ingest_files"), sort_keys=True)
        gate._checkpoint.__wrapped__(docs, "ingest_files", spec).run(batch_parameters={"dataframe": files_frame(0.0)})
    assert not validate("ingest_files", files_frame(0.05), docs).passed
    suites = tmp_path / "expectations"
    shutil.copytree(gate.EXPECTATIONS_DIR, suites)
    edited = json.loads((suites / "ingest_files.json").read_text(encoding="utf-8"))
    for rate in (e for e in edited["expectations"] if e["kwargs"].get("column") == "quarantine_rate"):
        rate["kwargs"]["max_value"] = 0.1
    (suites / "ingest_files.json").write_text(json.dumps(edited), encoding="utf-8")
    monkeypatch.setattr(gate, "EXPECTATIONS_DIR", suites)
    assert validate("ingest_files", files_frame(0.05), docs).passed


READER = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("select count(*) from publication_log").fetchone()[0], flush=True)
    sys.stdin.readline()                      # hold the file open until the run is over
    print(con.execute("select count(*) from unit_scores").fetchone()[0], flush=True)
""")


def test_reader_holding_the_published_file_open_during_a_run(copied_home):
    published = copied_home / "published" / "svcindex.duckdb"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(published)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    before = published_scores(published)
    try:
        assert reader.stdout.readline().strip() == "1"
        result = publish_again()
        assert result.success
        out, err = reader.communicate("go\n", timeout=60)
    finally:
        reader.kill()
    assert reader.returncode == 0, err
    assert int(out.strip()) > 0                    # the reader kept reading its snapshot
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from publication_log").fetchone()[0] == 2
    assert published_scores(published) == before   # the same nights twice: the same published scores


def publish_again():
    """A run of the publication asset alone: the same marts published again, swapped in under the
    reader. Ingest and dbt have nothing to do with what a reader sees, so they are not re-run."""
    import dagster as dg

    from dagster_project.assets.publication import published_warehouse
    from dagster_project.resources import resources

    return dg.materialize([published_warehouse], instance=dg.DagsterInstance.get(), resources=resources())


def published_scores(published: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(published), read_only=True) as con:
        return {t: con.execute(f"select * from {t} order by all").fetchall()
                for t in ("unit_scores", "group_scores", "criterion_scores", "dossier_criteria")}


def test_late_data_for_a_closed_month_is_published_with_a_restatement(second_run_home):
    """Night 2026-10-04 brought a dossier received in (closed) September (conftest.second_run_home)."""
    root, unit = second_run_home.root, second_run_home.late_unit
    assert second_run_home.exit_code == 0, second_run_home.output
    with duckdb.connect(str(root / "published" / "svcindex.duckdb"), read_only=True) as con:
        restated = con.execute("""select unit_code, period_type, period, old_total, new_total, reason
                                  from restatements""").df()
        month = con.execute("""select total from unit_scores
                               where unit_code = ? and period_type = 'month' and period = '2026-09'""",
                            [unit]).fetchone()[0]
    september = restated[(restated.period == "2026-09") & (restated.unit_code == unit)]
    assert len(september) == 1, restated
    row = september.iloc[0]
    assert row.new_total == month and row.old_total != row.new_total
    assert "TDGQ.1" in row.reason
    with duckdb.connect(str(root / "warehouse" / "svcindex.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from ops.restatements where period = '2026-09'").fetchone()[0] >= 1


def test_a_numerator_above_its_denominator_blocks_only_where_the_criterion_scores():
    """The suite's row condition (GX's Column condition, not a deprecated pandas string) exempts
    display-only criteria (max_points 0, e.g. TDGQ.2's mean) and holds every scored one."""
    def pair_outcome(max_points: float):
        frame = pd.DataFrame({"unit_code": ["U1", "U2"], "period_type": "month", "period": "2026-10",
                              "as_of_date": pd.Timestamp("2026-10-31"), "rule_version": "2026",
                              "criterion_code": ["TDGQ.2", "TDGQ.1"], "ratio": [None, 0.5],
                              "points": [0.0, 1.0], "max_points": [0.0, max_points],
                              "numerator": [9.0, 5.0], "denominator": [3.0, 4.0]})
        [outcome] = [o for o in validate("criterion_scores", frame).outcomes
                     if o.expectation == "expect_column_pair_values_a_to_be_greater_than_b"
                     and o.column == "denominator,numerator"]
        return outcome

    assert pair_outcome(max_points=0.0).success          # both rows display-only: exempt
    held = pair_outcome(max_points=2.0)
    assert not held.success and held.severity == "blocking" and held.observed.startswith("1 unexpected")


def test_a_publication_rewrites_only_the_months_that_changed(copied_home):
    """The tables published by month (publish.BY_MONTH) start from the last publication; a month
    whose rows differ is written again, the others are kept, and the result is the warehouse's."""
    from dagster_project.publish import BY_MONTH, PUBLISHED_TABLES, publish

    warehouse, published = copied_home / "warehouse" / "svcindex.duckdb", copied_home / "published" / "svcindex.duckdb"
    same = publish(warehouse, published, "same-marts")
    assert same.months_rewritten == {t: [] for t in BY_MONTH}
    # where its time went: every table, the copy of the last file and the final write
    assert set(same.seconds) == set(PUBLISHED_TABLES) | {"(copy of the last publication)", "(checkpoint and fsync)"}

    with duckdb.connect(str(warehouse)) as con:
        months = con.execute("select distinct received_month::varchar from marts.fct_dossier_criteria order by 1").fetchall()
        assert len(months) > 1
        dossier_month, usage_month = months[-1][0], months[0][0]
        con.execute("""update intermediate.int_dossier_facts set status = status + 1
                       where dossier_code = (select min(dossier_code) from intermediate.int_dossier_facts
                                             where received_month = ?::date)""", [dossier_month])
        con.execute("""delete from intermediate.int_unit_month_procedure_usage
                       where (unit_code, procedure_code) = (select (unit_code, procedure_code)
                                                            from intermediate.int_unit_month_procedure_usage
                                                            where received_month = ?::date order by all limit 1)
                         and received_month = ?::date""", [usage_month, usage_month])
    changed = publish(warehouse, published, "one-month-each")
    assert changed.months_rewritten == {"dossier_criteria": [dossier_month], "procedure_usage": [usage_month]}
    with duckdb.connect(":memory:") as con:
        con.execute(f"attach '{published}' as p (read_only)")
        con.execute(f"attach '{warehouse}' as w (read_only)")
        for table in BY_MONTH:
            a, b = f"p.{table}", f"w.{PUBLISHED_TABLES[table]}"
            assert con.execute(f"""select (select count(*) from (from {a} except all from {b}))
                                        + (select count(*) from (from {b} except all from {a}))""").fetchone()[0] == 0

    published.unlink()   # no previous publication: every month is written
    assert publish(warehouse, published, "whole").months_rewritten["dossier_criteria"] == [m for (m,) in months]
