"""Dagster's SQLite event log: milliseconds per stored event, Dagster's storage against the pooled one.

    .venv/bin/python bench/bench_event_log.py                 # /dev/shm and /tmp, 300 events, 3 rounds
    .venv/bin/python bench/bench_event_log.py --dirs /data --events 1000 --rounds 5

Each round, for each directory, stores the same events through a fresh instance of each
storage, the two interleaved: asset materialisations (written to the run's database and
mirrored to the cross-run index, like dbt's models and tests) and plain log events (the run's
database only). Prints min and median milliseconds per event. What a nightly run stores: one
small run's event log (2026-12-03) held 859 events, 515 of them materialisations, planned
materialisations and check evaluations (planned and done), the rest steps' events and logs.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from dagster_project.cli import DAGSTER_YAML, EARLIER_DAGSTER_YAML  # noqa: E402

STORAGES = {"dagster": EARLIER_DAGSTER_YAML, "pooled": DAGSTER_YAML}


def one(directory: str, events: int, storage: str) -> tuple[float, float]:
    """ms per asset event, ms per log event, in a fresh process and DAGSTER_HOME."""
    home = tempfile.mkdtemp(dir=directory)
    try:
        with open(os.path.join(home, "dagster.yaml"), "w") as f:
            f.write(STORAGES[storage])
        out = subprocess.run([sys.executable, __file__, "--child", str(events)], capture_output=True, text=True,
                             env={**os.environ, "DAGSTER_HOME": home}, check=True).stdout.split()
        return float(out[-2]), float(out[-1])
    finally:
        shutil.rmtree(home)


def child(events: int) -> None:
    import dagster as dg
    from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
    from dagster._core.events.log import EventLogEntry

    storage = dg.DagsterInstance.get().event_log_storage

    def entry(i: int, asset: bool) -> EventLogEntry:
        event = DagsterEvent(DagsterEventType.ASSET_MATERIALIZATION.value, "nightly", step_key="dbt_models",
                             event_specific_data=StepMaterializationData(dg.AssetMaterialization(f"model_{i % 60}"))) \
            if asset else None
        return EventLogEntry(error_info=None, level=20, user_message="", run_id="bench", timestamp=time.time(),
                             dagster_event=event)

    timed = []
    for asset in (True, False):
        started = time.perf_counter()
        for i in range(events):
            storage.store_event(entry(i, asset))
        timed.append((time.perf_counter() - started) / events * 1000)
    print(*timed)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        return child(int(sys.argv[2]))
    parser = argparse.ArgumentParser()
    parser.add_argument("--dirs", nargs="+", default=["/dev/shm", tempfile.gettempdir()])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    seen = {(d, s): [] for d in args.dirs for s in STORAGES}
    for _ in range(args.rounds):
        for d in args.dirs:
            for s in STORAGES:
                seen[d, s].append(one(d, args.events, s))
    print(f"{args.events} events per kind, {args.rounds} rounds; ms per event, min / median")
    for (d, s), runs in seen.items():
        asset, log = zip(*runs)
        print(f"{d:12} {s:8} asset {min(asset):6.2f} / {statistics.median(asset):6.2f}"
              f"   log {min(log):6.2f} / {statistics.median(log):6.2f}")


if __name__ == "__main__":
    main()
