"""Operations around the nightly job: partitions, schedule, landing sensor, alerts, freshness."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import dagster as dg

from .settings import home

VN_TZ = "Asia/Ho_Chi_Minh"
VN_OFFSET = timezone(timedelta(hours=7))

def complete_nights(landing: Path, source: str | None = None) -> list[str]:
    """Nights whose manifest has landed (a manifest is written last: the night is complete)."""
    pattern = f"{source}/*/_manifest.json" if source else "*/*/_manifest.json"
    return sorted({p.parent.name for p in landing.glob(pattern)})


# Before any night has landed the partitions start with the current administrative map (34
# provinces since 1 July 2025): no unit directory we load describes an earlier night.
EARLIEST_NIGHT = "2025-07-01"


def first_night(landing: Path) -> str:
    """The first complete night under landing/, read when the definitions load.

    Partitions start there, not at a fixed date: the UI then shows every delivered night and,
    as "missing", only nights that should have been delivered since. Time-window partitions (not
    dynamic ones) keep a night that never arrived visible as a gap, keep the 01:30 schedule and
    let a range of nights run as one run. The UI picks up an earlier first night on reload."""
    nights = complete_nights(landing)
    return nights[0] if nights else EARLIEST_NIGHT


# One partition per extract night; the night of D is delivered after midnight, so the 01:30
# schedule on D+1 runs partition D.
FIRST_NIGHT = first_night(home().landing)
nightly_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_NIGHT, timezone=VN_TZ)
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=FIRST_NIGHT[:8] + "01", timezone=VN_TZ)

FRESHNESS_LIMIT = timedelta(hours=36)




def latest_extract(landing: Path, source: str) -> datetime | None:
    """window_end of the newest complete night of a source, as an aware datetime."""
    from .sources._landing import VN, nights as landing_nights   # the confined manifest reader

    ends = [n.window_end for n in landing_nights(landing, source)[0] if n.window_end and not n.problem]
    return ends[-1].replace(tzinfo=VN) if ends else None


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
    import fcntl

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


def freshness_verdict(landing: Path, source: str, now: datetime) -> tuple[bool, str]:
    """(fresh, why): a source with no extract window ending in the last 36 hours is stale."""
    latest = latest_extract(landing, source)
    if latest is None:
        return False, f"{source}: no complete extract has ever landed"
    age = now - latest
    hours = age.total_seconds() / 3600
    if age > FRESHNESS_LIMIT:
        return False, f"{source}: latest extract window ended {latest.isoformat()} — {hours:.1f} h ago (> 36 h)"
    return True, f"{source}: latest extract window ended {latest.isoformat()} — {hours:.1f} h ago"


def notify(alert: dict) -> None:
    """Hook for e-mail or chat: SVCINDEX_ALERT_COMMAND gets the alert as JSON on stdin."""
    import os
    import subprocess

    command = os.environ.get("SVCINDEX_ALERT_COMMAND")
    if command:
        subprocess.run(command, shell=True, input=json.dumps(alert, ensure_ascii=False, default=str),
                       text=True, timeout=60, check=False)
