"""A run's start (issue 11): process start of `svcindex run` to its first step, on a home with many
nights loaded, one new night a run.

    .venv/bin/python bench/bench_run_start.py                       # 40 nights loaded, then 4 runs of one new night
    .venv/bin/python bench/bench_run_start.py --loaded 40 --runs 4 --home /tmp/svcindex-bench-run-start

Set-up (not timed): the simulator writes `--loaded` nights from 1 September 2026 for two provinces
(H44, H55, scale 0.002) and one `svcindex run` loads them all. Then, `--runs` times: one more night
is simulated and `svcindex run` starts as its own process; the start is the wall clock just before
the process is spawned, the first step the timestamp of the nightly run's first STEP_START in the
home's Dagster event log. Beside it, the wall time of the whole command (the nightly run and the
month's report after it).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVCINDEX = Path(sys.executable).with_name("svcindex")
FIRST_NIGHT = date(2026, 9, 1)


def svcindex(home: Path, *args: str) -> float:
    """Runs `svcindex ARGS` on `home`; returns the wall clock at its spawn."""
    env = {**os.environ, "SVCINDEX_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    started = time.time()
    subprocess.run([str(SVCINDEX), *args], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return started


def simulate(home: Path, first: date, last: date) -> None:
    svcindex(home, "simulate", "--start", first.isoformat(), "--end", last.isoformat(), "--provinces", "H44,H55")


def first_step_at(home: Path) -> float:
    """The timestamp of the first STEP_START of the newest nightly run in the home's Dagster
    instance (the monthly report is a run of its own after it)."""
    from dagster import DagsterEventType, DagsterInstance, RunsFilter

    with warnings.catch_warnings():  # the definitions' beta warnings, shown by the runs already
        warnings.simplefilter("ignore")
        from dagster_project.jobs import nightly_job

    os.environ["DAGSTER_HOME"] = str(home / "dagster")  # where its event log lives (event_log_storage.py)
    with DagsterInstance.from_config(str(home / "dagster")) as instance:
        run = instance.get_runs(RunsFilter(job_name=nightly_job.name), limit=1)[0]
        steps = instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_START)
        return min(e.timestamp for e in steps)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", type=Path, default=Path("/tmp/svcindex-bench-run-start"))
    ap.add_argument("--loaded", type=int, default=40, help="nights loaded before the timed runs")
    ap.add_argument("--runs", type=int, default=4, help="timed runs, one new night each")
    a = ap.parse_args()
    shutil.rmtree(a.home, ignore_errors=True)
    a.home.mkdir(parents=True)
    last = FIRST_NIGHT + timedelta(days=a.loaded - 1)
    t = time.perf_counter()
    simulate(a.home, FIRST_NIGHT, last)
    svcindex(a.home, "run")
    print(f"set-up: {a.loaded} nights simulated and loaded in {time.perf_counter() - t:.0f} s", flush=True)
    starts = []
    for i in range(a.runs):
        night = last + timedelta(days=i + 1)
        simulate(a.home, night, night)
        spawned = svcindex(a.home, "run")
        wall = time.time() - spawned
        starts.append(first_step_at(a.home) - spawned)
        load = os.getloadavg()[0]
        print(f"night {night} on {a.loaded + i} loaded: process start to first step {starts[-1]:.2f} s, "
              f"the run and its report {wall:.1f} s (load {load:.1f})", flush=True)
    print(f"run start: min {min(starts):.2f} s, max {max(starts):.2f} s over {len(starts)} runs")


if __name__ == "__main__":
    main()
