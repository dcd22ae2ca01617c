"""The run side of issue 9: one writer at a time, nothing left behind by kill -9, every failed run
alerts, a rejected file holds publication back until re-delivered or waived, a run with nothing
new publishes nothing, and what a new connection sees after a swap."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from openpyxl import load_workbook

from conftest import use_home
from dagster_project.cli import main, run_nightly

SVCINDEX = str(Path(sys.executable).parent / "svcindex")
SCORE_TABLES = ("unit_scores", "group_scores", "criterion_scores")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def scores(published: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(published), read_only=True) as con:
        return {t: con.execute(f"select * from {t} order by all").fetchall() for t in SCORE_TABLES}


def publication_count(published: Path) -> int:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute("select count(*) from publication_log").fetchone()[0]


# --- what a new connection sees after the swap (README's claim) -------------------------------

def _make(path: Path, value: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(f"create table t as select {value} as v")


def test_new_connection_in_the_same_process_sees_the_old_file_until_all_close(tmp_path):
    """DuckDB caches one database instance per path and process: the README says so, and
    open_published is the way to see the new file while an old connection is still open."""
    from dagster_project.publish import open_published

    published = tmp_path / "svcindex.duckdb"
    _make(published, 1)
    held = duckdb.connect(str(published), read_only=True)
    _make(tmp_path / ".new", 2)
    os.replace(tmp_path / ".new", published)          # the swap publish() does

    again = duckdb.connect(str(published), read_only=True)
    assert again.execute("select v from t").fetchone() == (1,)    # the cached instance: the old file
    fresh = open_published(published)
    assert fresh.execute("select v from t").fetchone() == (2,)    # ATTACH opens the file as it is now
    fresh.close()
    other_process = subprocess.run([sys.executable, "-c", "import duckdb,sys; print(duckdb.connect(sys.argv[1], "
                                    "read_only=True).execute('select v from t').fetchone()[0])", str(published)],
                                   capture_output=True, text=True, check=True)
    assert other_process.stdout.strip() == "2"
    again.close()
    assert held.execute("select v from t").fetchone() == (1,)     # a reader keeps its snapshot
    held.close()
    with duckdb.connect(str(published), read_only=True) as con:   # every connection closed: the new file
        assert con.execute("select v from t").fetchone() == (2,)


# --- the lock ---------------------------------------------------------------------------------

def test_lock_left_by_a_dead_process_is_cleared(tmp_path):
    from dagster_project.runlock import warehouse_lock
    from dagster_project.settings import Home

    h = Home(tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / "run.lock").write_text(json.dumps({"pid": dead.pid, "started": "2026-11-30T01:30:00+00:00"}))
    said: list[str] = []
    with warehouse_lock(h, said.append) as me:
        assert me.pid == os.getpid()
        assert said == [f"cleared the lock left by pid {dead.pid} (started 2026-11-30T01:30:00+00:00), "
                        "which is no longer running"]
        # a second holder, here another process, is refused at once with the holder's pid and start
        other = subprocess.run([sys.executable, "-c", LOCKER, str(tmp_path)], capture_output=True, text=True)
        assert other.returncode == 3
        assert f"another run (pid {os.getpid()}, started {me.started}) holds the warehouse" in other.stdout
    with warehouse_lock(h, said.append):          # released cleanly: taken again, nothing to clear
        assert len(said) == 1


LOCKER = """
import sys
from pathlib import Path
from dagster_project.runlock import WarehouseBusy, warehouse_lock
from dagster_project.settings import Home
try:
    with warehouse_lock(Home(Path(sys.argv[1]))):
        sys.exit(0)
except WarehouseBusy as busy:
    print(busy)
    sys.exit(3)
"""
