"""Alerts of failed runs: $SVCINDEX_HOME/alerts/alerts.jsonl and the notifier hook."""
from __future__ import annotations

import fcntl
import json
import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path


def write_alert(alert: dict, alerts_dir: Path) -> Path:
    """Append an alert to alerts.jsonl; the hook point for e-mail or chat notifiers."""
    alerts_dir.mkdir(parents=True, exist_ok=True)
    path = alerts_dir / "alerts.jsonl"
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(alert, ensure_ascii=False, default=str) + "\n")
    return path


def alert_failed_run(run_id: str, job: str | None, partition: str | None, error: str | None,
                     alerts_dir: Path) -> dict | None:
    """One alert per failed run, whichever mechanism sees the failure first.

    A run can be seen failing by the job's failure hook (in the run's process: CLI, schedule,
    sensor, UI), by the CLI after execute_in_process, by the next run (a killed run), and by the
    run-failure sensor when the daemon runs. Each calls this; the first one writes alerts.jsonl
    and calls $SVCINDEX_ALERT_COMMAND, the others find the run_id there and do nothing.
    Returns the alert written, or None if the run had already alerted."""
    alerts_dir.mkdir(parents=True, exist_ok=True)
    path = alerts_dir / "alerts.jsonl"
    alert = {"at": datetime.now(timezone.utc).isoformat(), "job": job, "run_id": run_id,
             "partition": partition, "error": (error or "").strip()[:2000]}
    with path.open("a+", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)  # hook and sensor may race from two processes
        f.seek(0)
        if any(json.loads(line).get("run_id") == run_id for line in f if line.strip()):
            return None
        f.write(json.dumps(alert, ensure_ascii=False, default=str) + "\n")
        f.flush()
    notify(alert)
    return alert


def notify(alert: dict) -> None:
    """Hook for e-mail or chat: SVCINDEX_ALERT_COMMAND gets the alert as JSON on stdin."""
    command = os.environ.get("SVCINDEX_ALERT_COMMAND")
    if command:
        subprocess.run(command, shell=True, input=json.dumps(alert, ensure_ascii=False, default=str),
                       text=True, timeout=60, check=False)
