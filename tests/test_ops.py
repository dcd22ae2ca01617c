"""Schedules, sensors, alerts and freshness: the run requests a data engineer will see."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from dagster_project.alerts import write_alert
from dagster_project.freshness import freshness_verdict
from dagster_project.sources._landing import VN as VN_OFFSET

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def land(landing: Path, source: str, night: str, window_end: str | None = None) -> None:
    folder = landing / source / night
    folder.mkdir(parents=True, exist_ok=True)
    end = window_end or f"{night}T23:59:59+07:00"
    (folder / "_manifest.json").write_text(json.dumps({"source": source, "extract_date": night,
                                                      "window_start": f"{night}T00:00:00+07:00",
                                                      "window_end": end, "schema_version": "1.0", "files": []}))


def test_nightly_schedule_runs_yesterdays_partition_at_0130_vietnam_time():
    from dagster_project.definitions import defs

    # the job takes its daily partitions from the ingest assets: the schedule resolves with the definitions
    nightly_schedule = defs.resolve_schedule_def("nightly_schedule")
    assert nightly_schedule.cron_schedule == "30 1 * * *"
    assert nightly_schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 10, 6, 1, 30, tzinfo=VN))
    requests = nightly_schedule.evaluate_tick(context).run_requests
    assert [(r.partition_key, r.run_key) for r in requests] == [("2026-10-05", "2026-10-05")]


def range_of(request: dg.RunRequest) -> tuple[str, str]:
    return request.tags["dagster/asset_partition_range_start"], request.tags["dagster/asset_partition_range_end"]


def test_landing_sensor_requests_complete_nights_not_yet_ingested(tmp_path):
    from dagster_project.jobs import landing_sensor
    from dagster_project.resources import HomeResource

    home = {"home": HomeResource(root=str(tmp_path))}
    for night in ("2026-10-01", "2026-10-02"):
        for source in ("dvcqg_coquan", "csdl_tthc", "dvcqg_hoso"):
            land(tmp_path / "landing", source, night)
    for source in ("dvcqg_coquan", "csdl_tthc"):          # the dossiers of 3 Oct have not landed yet
        land(tmp_path / "landing", source, "2026-10-03")
    (tmp_path / "landing" / "dvcqg_hoso" / "2026-10-03").mkdir()   # files arriving, no manifest yet

    with dg.instance_for_test() as instance:
        requests = list(landing_sensor(dg.build_sensor_context(instance=instance, resources=home)))
        assert [(range_of(r), r.run_key) for r in requests] == [(("2026-10-01", "2026-10-02"), "2026-10-01..2026-10-02")]

        # once 1-2 Oct are ingested, only the newly complete 3 Oct is asked for
        for night in ("2026-10-01", "2026-10-02"):
            instance.report_runless_asset_event(dg.AssetMaterialization(["raw", "dvcqg_hoso"], partition=night))
        land(tmp_path / "landing", "dvcqg_hoso", "2026-10-03")
        requests = list(landing_sensor(dg.build_sensor_context(instance=instance, resources=home)))
        assert [range_of(r) for r in requests] == [("2026-10-03", "2026-10-03")]


def test_freshness_fails_after_36_hours(tmp_path):
    land(tmp_path, "dvcqg_hoso", "2026-10-01", window_end="2026-10-02T00:00:00+07:00")
    ok, why = freshness_verdict(tmp_path, "dvcqg_hoso", datetime(2026, 10, 3, 11, 0, tzinfo=VN_OFFSET))
    assert ok and "35.0 h" in why
    ok, why = freshness_verdict(tmp_path, "dvcqg_hoso", datetime(2026, 10, 3, 13, 0, tzinfo=VN_OFFSET))
    assert not ok and "37.0 h ago (> 36 h)" in why
    ok, why = freshness_verdict(tmp_path, "dvcqg_pakn", datetime(2026, 10, 3, tzinfo=VN_OFFSET))
    assert not ok and "no complete extract has ever landed" in why


def test_alert_is_appended_and_handed_to_the_notifier_hook(tmp_path, monkeypatch):
    from dagster_project.alerts import notify

    received = tmp_path / "received.json"
    monkeypatch.setenv("SVCINDEX_ALERT_COMMAND", f"cat > {received}")
    alert = {"job": "nightly", "run_id": "r1", "error": "Quality gate failed"}
    path = write_alert(alert, tmp_path / "alerts")
    write_alert({**alert, "run_id": "r2"}, tmp_path / "alerts")
    notify(alert)
    assert [json.loads(line)["run_id"] for line in path.read_text().splitlines()] == ["r1", "r2"]
    assert json.loads(received.read_text()) == alert


def test_a_publication_asks_for_the_report_of_its_month():
    from dagster_project.definitions import defs
    from dagster_project.jobs import report_after_publication

    with dg.instance_for_test() as instance:
        instance.report_runless_asset_event(dg.AssetMaterialization("published_warehouse",
                                                                    metadata={"as_of_date": "2026-10-03"}))
        context = dg.build_sensor_context(instance=instance, repository_def=defs.get_repository_def())
        result = report_after_publication.evaluate_tick(context)
    assert [r.partition_key for r in result.run_requests] == ["2026-10-01"]
