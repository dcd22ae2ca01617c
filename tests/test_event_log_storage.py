"""The home's Dagster instance stores events through the pooled SQLite event log (event_log_storage.py)."""
from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.events.log import EventLogEntry

from conftest import use_home
from dagster_project.cli import EARLIER_DAGSTER_YAML
from dagster_project.event_log_storage import OPEN_DATABASES, PooledSqliteEventLogStorage


def materialization(run_id: str, asset: str) -> EventLogEntry:
    event = DagsterEvent(DagsterEventType.ASSET_MATERIALIZATION.value, "nightly", step_key="dbt_models",
                         event_specific_data=StepMaterializationData(dg.AssetMaterialization(asset)))
    return EventLogEntry(error_info=None, level=20, user_message="", run_id=run_id, timestamp=time.time(),
                         dagster_event=event)


def test_a_new_home_and_an_old_one_get_the_pooled_event_log_in_their_own_folder(tmp_path):
    previous = os.environ["SVCINDEX_HOME"]
    old = tmp_path / "old"
    (old / "dagster").mkdir(parents=True)
    (old / "dagster" / "dagster.yaml").write_text(EARLIER_DAGSTER_YAML)
    custom = tmp_path / "custom"
    (custom / "dagster").mkdir(parents=True)
    (custom / "dagster" / "dagster.yaml").write_text(EARLIER_DAGSTER_YAML + "# the operator's own\n")
    try:
        for root, pooled in ((tmp_path / "new", True), (old, True), (custom, False)):
            use_home(root)
            with dg.DagsterInstance.get() as instance:
                storage = instance.event_log_storage
                assert isinstance(storage, PooledSqliteEventLogStorage) == pooled, root
                assert storage._base_dir == str(root / "dagster" / "history" / "runs")
    finally:
        use_home(Path(previous))


def test_what_one_storage_writes_another_reads_past_the_open_databases_and_after_a_wipe(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))   # the default base_dir: $DAGSTER_HOME/history/runs
    writer, reader = PooledSqliteEventLogStorage(), PooledSqliteEventLogStorage()
    try:
        runs = [f"run{i:02d}" for i in range(OPEN_DATABASES + 4)]
        for run_id in runs:
            for asset in ("a", "b"):
                writer.store_event(materialization(run_id, asset))
        assert len(writer._engines) == OPEN_DATABASES          # the least recently used were closed
        for run_id in runs:                                    # ... and every run reads back whole
            assert [e.asset_materialization.asset_key.path for e in
                    (r.event_log_entry for r in reader.get_records_for_run(run_id).records)] == [["a"], ["b"]]
        latest = reader.get_latest_materialization_events([dg.AssetKey("a")])[dg.AssetKey("a")]
        assert latest.run_id == runs[-1]                       # mirrored to the cross-run index
        writer.wipe()                                          # `dagster instance wipe`: no open database in the way
        assert writer.get_records_for_run(runs[-1]).records == []            # its engine was open
        writer.store_event(materialization("after", "a"))
        assert len(PooledSqliteEventLogStorage().get_records_for_run("after").records) == 1
    finally:
        writer.dispose()
        reader.dispose()


def test_opening_a_home_by_its_folder_without_dagster_home_says_what_to_set(tmp_path, monkeypatch):
    previous = os.environ["SVCINDEX_HOME"]
    try:
        use_home(tmp_path)  # writes the home's dagster.yaml
    finally:
        use_home(Path(previous))
    monkeypatch.delenv("DAGSTER_HOME")
    try:
        dg.DagsterInstance.from_config(str(tmp_path / "dagster"))
    except Exception as e:  # Dagster may wrap it
        said = "".join(str(x) for x in (e, e.__cause__, e.__context__))
    else:
        raise AssertionError("the instance opened with no DAGSTER_HOME to find its event log")
    assert "set DAGSTER_HOME to the instance's folder" in said, said
