"""One writer at a time, and nothing left behind by a killed run.

DuckDB allows one writer process per file; two runs on one home would meet as a lock traceback
half-way through. So a run first takes $SVCINDEX_HOME/run.lock with flock: the kernel releases
it when the holder dies (kill -9 included), so a dead holder can never block the next run. The
file keeps the holder's pid and start time, only to say who holds it.

Whoever takes the lock is then the only writer, so it may tidy what a killed run left: the
publication's temp file and its .wal, DuckDB spill files, dbt's __dbt_tmp/__dbt_backup relations,
and Dagster runs still STARTED whose process is gone (marked failed, so the UI tells the truth).
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from .alerts import alert_failed_run
from .settings import Home, duckdb_temp_directory
from .warehouse import WarehouseBusy  # noqa: F401  (raised here too; callers catch it from either)

PID_TAG = "svcindex/pid"  # on every run the CLI starts: lets the next run tell a dead run from a live one


@dataclass
class Holder:
    pid: int | None
    started: str | None


def _read_holder(path: Path) -> Holder:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        data = {}
    return Holder(data.get("pid"), data.get("started"))


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


@contextmanager
def warehouse_lock(h: Home, log=print) -> Iterator[Holder]:
    """Hold $SVCINDEX_HOME/run.lock for the block, or raise WarehouseBusy at once."""
    h.root.mkdir(parents=True, exist_ok=True)
    path = h.root / "run.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(path)
            raise WarehouseBusy(f"another run (pid {holder.pid}, started {holder.started}) holds the warehouse "
                                f"{h.root}; wait for it to finish") from None
        previous = _read_holder(path)
        if previous.pid and not pid_alive(previous.pid):
            log(f"cleared the lock left by pid {previous.pid} (started {previous.started}), which is no longer running")
        me = Holder(os.getpid(), datetime.now(timezone.utc).isoformat(timespec="seconds"))
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": me.pid, "started": me.started}).encode(), 0)
        try:
            yield me
        finally:
            os.ftruncate(fd, 0)  # released cleanly: nothing to clear next time
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def remove_leftovers(h: Home, log=print) -> list[Path]:
    """Temp files of a killed run. Call only while holding the lock (no run can be using them).

    The warehouse's own svcindex.duckdb.wal is NOT a leftover: DuckDB replays it on open."""
    removed: list[Path] = []
    published = h.published
    for stale in published.parent.glob(f".{published.name}.*.tmp*"):  # temp file and its .wal
        stale.unlink(missing_ok=True)
        removed.append(stale)
    for spill in (duckdb_temp_directory(h.warehouse), duckdb_temp_directory(published)):
        if spill.is_dir() and any(spill.iterdir()):
            shutil.rmtree(spill, ignore_errors=True)
            removed.append(spill)
    if removed:
        log("removed files left by a killed run: " + ", ".join(str(p.relative_to(h.root)) for p in removed))
    return removed


def drop_dbt_temp_relations(h: Home, log=print) -> list[str]:
    """dbt-duckdb builds `<model>__dbt_tmp` and renames; a kill in between leaves it in the warehouse."""
    if not h.warehouse.exists():
        return []
    from .warehouse import connection

    with connection(h.warehouse) as con:
        rows = con.execute("""select table_schema, table_name, table_type from information_schema.tables
                              where table_catalog = current_database()
                                and (table_name like '%\\_\\_dbt\\_tmp%' escape '\\'
                                     or table_name like '%\\_\\_dbt\\_backup%' escape '\\')""").fetchall()
        for schema, name, kind in rows:
            con.execute(f'drop {"view" if kind == "VIEW" else "table"} if exists "{schema}"."{name}"')
    dropped = [f"{s}.{n}" for s, n, _ in rows]
    if dropped:
        log("dropped dbt temp relations left by a killed run: " + ", ".join(dropped))
    return dropped


def fail_dead_runs(h: Home, instance, log=print) -> list[str]:
    """Dagster runs still STARTED/STARTING whose recorded process is gone: mark them failed."""
    import dagster as dg

    from .jobs import partition_of

    failed = []
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED,
                                                             dg.DagsterRunStatus.STARTING]))
    for run in runs:
        pid = run.tags.get(PID_TAG)
        if pid and int(pid) != os.getpid() and not pid_alive(int(pid)):
            why = f"the run's process (pid {pid}) died without finishing (killed); marked failed by the next run"
            instance.report_run_failed(run, message=why)
            alert_failed_run(run.run_id, run.job_name, partition_of(run), why, h.alerts)
            failed.append(run.run_id)
    if failed:
        log("marked failed the runs whose process was killed: " + ", ".join(failed))
    return failed


def exclusive_run(h: Home, instance, log=print) -> dict[str, str]:
    """Under the lock: clear what a killed run left, and return the tags that let the next run
    recognise this one if it is killed (its pid)."""
    remove_leftovers(h, log)
    drop_dbt_temp_relations(h, log)
    fail_dead_runs(h, instance, log)
    return {PID_TAG: str(os.getpid())}
