"""The whole graph, in process, on simulated data: simulate → ingest → dbt → gate → publish → report."""
from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import dagster as dg

from dagster_project.cli import run_nightly


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_definitions_load():
    from dagster_project.definitions import defs

    dg.Definitions.validate_loadable(defs)
    repo = defs.get_repository_def()
    keys = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    assert {"raw/dvcqg_hoso", "raw/dvcqg_coquan", "raw/csdl_tthc", "marts/fct_unit_scores",
            "published_warehouse", "monthly_report"} <= keys
    assert repo.get_schedule_def("nightly_schedule").cron_schedule == "30 1 * * *"
    graph = repo.asset_graph
    assert {graph.get(k).group_name for k in graph.get_all_asset_keys()} == \
        {"ingest", "rulebook", "staging", "intermediate", "marts", "publish", "report"}
    assert not [k for k in graph.get_all_asset_keys() if not graph.get(k).description]
    checks = {k.name for k in repo.asset_graph.asset_check_keys}
    assert {"batch_gate", "unit_scores_gate", "group_scores_gate"} <= checks


def test_whole_graph_publishes_unit_scores(pipeline_home):
    published = pipeline_home / "published" / "svcindex.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute("select * from unit_scores").df()
        log = con.execute("select count(*) from publication_log").fetchone()[0]
    assert len(rows) > 0
    assert {"H44", "H55"} <= set(rows.unit_code)
    rated = rows[rows.rated]           # an unrated unit (rulebook §5a) has no total
    assert len(rated) > 0 and rows[~rows.rated].total.isna().all()
    assert (rated.total == (rated.ckmb + rated.tdgq + rated.clgq + rated.tttt + rated.mdsh + rated.mdhl).round(2)).all()
    assert log == 1
    reports = list((pipeline_home / "reports").rglob("*.xlsx"))
    assert reports, "the monthly workbook was not written"


def _deliver_bad_night(landing: Path, night: str) -> None:
    """Copy the last dossier night as a new night with MaTTHC removed from every line."""
    src_dir = sorted((landing / "dvcqg_hoso").iterdir())[-1]
    dst_dir = landing / "dvcqg_hoso" / night
    dst_dir.mkdir()
    lines = gzip.decompress((src_dir / "part-00000.jsonl.gz").read_bytes()).decode().splitlines()
    bad = []
    for line in lines:
        record = json.loads(line)
        record.pop("MaTTHC")
        bad.append(json.dumps(record, ensure_ascii=False))
    data = gzip.compress(("\n".join(bad) + "\n").encode(), mtime=0)
    (dst_dir / "part-00000.jsonl.gz").write_bytes(data)
    manifest = json.loads((src_dir / "_manifest.json").read_text())
    manifest.update(extract_date=night, files=[{"name": "part-00000.jsonl.gz", "rows": len(bad),
                                                "sha256": hashlib.sha256(data).hexdigest()}])
    (dst_dir / "_manifest.json").write_text(json.dumps(manifest))


def test_bad_batch_fails_gate_keeps_publication_and_alerts(copied_home):
    from dagster_project.jobs import alert_on_failure
    from dagster_project.resources import HomeResource

    published = copied_home / "published" / "svcindex.duckdb"
    before = sha256(published)
    index = copied_home / "quality" / "data_docs" / "index.html"
    pages = index.read_text().count("validations/dvcqg_hoso_batch/")  # the night's page, listed by the index
    _deliver_bad_night(copied_home / "landing", "2026-10-04")

    result = run_nightly()

    assert not result.success
    # the run stops at this gate, before the publication builds the Data Docs index: the step that
    # blocks builds it, so the night's batch is listed there
    assert index.read_text().count("validations/dvcqg_hoso_batch/") == pages + 1
    failed_checks = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert any(e.asset_key.path == ["raw", "dvcqg_hoso"] for e in failed_checks)
    assert not result.is_node_success("published_warehouse")
    assert sha256(published) == before
    with duckdb.connect(str(copied_home / "warehouse" / "svcindex.duckdb"), read_only=True) as con:
        quarantined = con.execute("""select count(*), min(field) from raw.quarantine
                                     where file_name like '%2026-10-04%'""").fetchone()
    assert quarantined[0] > 0 and quarantined[1] == "MaTTHC"

    instance = dg.DagsterInstance.get()
    failure = next(e for e in instance.all_logs(result.run_id) if e.dagster_event and e.dagster_event.is_run_failure)
    alert_on_failure(dg.build_run_status_sensor_context(
        sensor_name="alert_on_failure", dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id), dagster_event=failure.dagster_event,
        resources={"home": HomeResource(root=str(copied_home))},
    ).for_run_failure())
    alert = json.loads((copied_home / "alerts" / "alerts.jsonl").read_text().splitlines()[-1])
    assert alert["run_id"] == result.run_id and alert["job"] == "nightly"


def test_same_file_delivered_twice_counts_once(copied_home):
    warehouse = copied_home / "warehouse" / "svcindex.duckdb"
    landing = copied_home / "landing"

    def counts():
        with duckdb.connect(str(warehouse), read_only=True) as con:
            raw = con.execute("select count(*) from raw.dvcqg_hoso").fetchone()[0]
            scores = con.execute("""select sum(numerator), sum(denominator) from marts.fct_criterion_scores
                                    where criterion_code = 'TDGQ.1'""").fetchone()
        return raw, scores

    before = counts()
    # the same night delivered again, and its dossier file re-delivered under the next night
    assert run_nightly().success
    src = sorted((landing / "dvcqg_hoso").iterdir())[-1]
    dst = landing / "dvcqg_hoso" / "2026-10-05"
    shutil.copytree(src, dst)
    manifest = json.loads((dst / "_manifest.json").read_text())
    manifest["extract_date"] = "2026-10-05"
    (dst / "_manifest.json").write_text(json.dumps(manifest))
    result = run_nightly()
    assert result.success
    assert counts() == before
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.load_log where file_name like 'dvcqg_hoso/2026-10-05/%'").fetchone()[0] == 0


def test_backfill_of_three_nights_runs_as_one_run(pipeline_home):
    instance = dg.DagsterInstance.get()
    runs = instance.get_runs(filters=dg.RunsFilter(job_name="nightly"))
    assert len(runs) == 1
    tags = runs[0].tags
    assert (tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"]) == \
        ("2026-10-01", "2026-10-03")
    # planned once per asset with the range (runs.planned_per_asset), not once per asset and night
    planned = instance.get_records_for_run(runs[0].run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
                                           limit=10_000).records
    keys = [r.event_log_entry.dagster_event.asset_key for r in planned]
    assert len(keys) == len(set(keys)) and dg.AssetKey(["raw", "dvcqg_hoso"]) in keys
    with duckdb.connect(str(pipeline_home / "warehouse" / "svcindex.duckdb"), read_only=True) as con:
        nights = con.execute("""select source, count(distinct extract_date) from raw.load_log
                                where status = 'loaded' group by source""").fetchall()
    assert dict(nights)["dvcqg_hoso"] == 3 and dict(nights)["dvcqg_coquan"] == 3
