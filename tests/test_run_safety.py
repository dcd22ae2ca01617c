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
import time
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


# --- a rejected file, the waiver, the alert, nothing new --------------------------------------

def _deliver_night(landing: Path, night: str, broken_source: str | None = None) -> None:
    """`night` as a copy of the last night of every source; `broken_source`'s first file arrives
    damaged (a byte appended: its checksum no longer matches the manifest, a file-level fault)."""
    for source_dir in sorted(p for p in landing.iterdir() if p.is_dir()):
        last = sorted(p for p in source_dir.iterdir() if p.is_dir())[-1]
        shutil.copytree(last, source_dir / night)
        manifest = json.loads((source_dir / night / "_manifest.json").read_text())
        manifest["extract_date"] = night
        if source_dir.name == broken_source:
            with open(source_dir / night / manifest["files"][0]["name"], "ab") as damaged:
                damaged.write(b"\0")
        (source_dir / night / "_manifest.json").write_text(json.dumps(manifest))


def test_rejected_file_holds_publication_until_waived_then_nothing_new(copied_home, monkeypatch, capsys):
    published = copied_home / "published" / "svcindex.duckdb"
    received = copied_home / "notifier.jsonl"
    monkeypatch.setenv("SVCINDEX_ALERT_COMMAND", f"cat >> {received}; echo >> {received}")
    before, logged = sha256(published), publication_count(published)

    # nothing new since the session's run: nothing runs, nothing is published
    assert main(["run", "--log-level", "WARNING"]) == 0
    assert "nothing new since 2026-10-03" in capsys.readouterr().out
    assert sha256(published) == before

    _deliver_night(copied_home / "landing", "2026-10-04", broken_source="dvcqg_hoso")
    assert main(["run", "--log-level", "WARNING"]) == 1
    said = capsys.readouterr()
    err = said.out + said.err
    file_name = "dvcqg_hoso/2026-10-04/part-00000.jsonl.gz"
    assert "Publication held back" in err
    assert f"{file_name} rejected: sha256" in err and "does not match the manifest" in err
    assert "re-deliver landing/dvcqg_hoso/2026-10-04/" in err
    assert 'svcindex waive --source dvcqg_hoso --night 2026-10-04 --reason "..."' in err
    assert sha256(published) == before

    # the failed run alerted exactly once (the job's failure hook and the CLI both saw it)
    instance = dg.DagsterInstance.get()
    failed = instance.get_runs(filters=dg.RunsFilter(job_name="nightly", statuses=[dg.DagsterRunStatus.FAILURE]))
    assert len(failed) == 1
    alerts = [json.loads(line) for line in (copied_home / "alerts" / "alerts.jsonl").read_text().splitlines()]
    assert [a["run_id"] for a in alerts] == [failed[0].run_id]
    assert file_name in alerts[0]["error"] and alerts[0]["job"] == "nightly"
    # a run ingests the nights not yet loaded, from the last night before them every source delivered
    assert alerts[0]["partition"] == "2026-10-03..2026-10-04"
    assert [json.loads(line)["run_id"] for line in received.read_text().split("\n") if line.strip()] == \
        [failed[0].run_id]

    # a waiver needs a rejected file to waive and a reason
    assert main(["waive", "--source", "dvcqg_hoso", "--night", "2026-10-03", "--reason", "no such fault"]) == 2
    assert "nothing to waive" in capsys.readouterr().err
    reason = "the sender lost the night's file; VPCP accepts the night without it"
    assert main(["waive", "--source", "dvcqg_hoso", "--night", "2026-10-04", "--reason", reason,
                 "--by", "operator.nguyen"]) == 0
    assert "waived dvcqg_hoso 2026-10-04 by operator.nguyen" in capsys.readouterr().out

    assert main(["run", "--log-level", "WARNING"]) == 0
    assert "published" in capsys.readouterr().out
    assert sha256(published) != before
    with duckdb.connect(str(published), read_only=True) as con:
        run_id, used = con.execute("select run_id, waivers from publication_log order by published_at desc limit 1").fetchone()
        waivers = con.execute("select source, night::varchar, reason, waived_by, run_id from waivers").fetchall()
        assert con.execute("select count(*) from publication_log").fetchone()[0] == logged + 1
    assert json.loads(used) == [f"dvcqg_hoso 2026-10-04: {reason} (operator.nguyen)"]
    assert waivers == [("dvcqg_hoso", "2026-10-04", reason, "operator.nguyen", run_id)]
    with duckdb.connect(str(copied_home / "warehouse" / "svcindex.duckdb"), read_only=True) as con:
        assert con.execute("select run_id from ops.waivers").fetchall() == [(run_id,)]
    annex = load_workbook(copied_home / "reports" / "2026-10" / "bao-cao-chi-so-2026-10.xlsx")["Chất lượng dữ liệu"]
    cells = [c for row in annex.iter_rows(values_only=True) for c in row if c is not None]
    assert reason in cells and "operator.nguyen" in cells

    # the same inputs again: nothing new, the file keeps its bytes, no new publication_log row
    after = sha256(published)
    assert main(["run", "--log-level", "WARNING"]) == 0
    assert "nothing new since 2026-10-04" in capsys.readouterr().out
    assert sha256(published) == after and publication_count(published) == logged + 1


# --- kill -9 at ingest, dbt and publication; two runs at once ---------------------------------

class CliRun:
    """`svcindex run` in its own process group (dbt's subprocess included), its output collected."""

    def __init__(self, root: Path, pause_at: str | None = None):
        env = {**os.environ, "SVCINDEX_HOME": str(root), "DAGSTER_HOME": str(root / "dagster")}
        env.pop("SVCINDEX_PAUSE_AT", None)
        if pause_at:
            env["SVCINDEX_PAUSE_AT"] = pause_at
        self.root, self.started = root, time.time()
        self.proc = subprocess.Popen([SVCINDEX, "run", "--log-level", "INFO"], env=env, start_new_session=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.seen = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self.seen:
                self.lines.append(line)
                self.seen.notify_all()
        with self.seen:
            self.seen.notify_all()

    def _logged(self) -> str:
        """This run's full log ($SVCINDEX_HOME/logs/<run_id>.log): Dagster's and dbt's lines go there."""
        logs = [p for p in (self.root / "logs").glob("*.log") if p.stat().st_mtime >= self.started]
        return max(logs, key=lambda p: p.stat().st_mtime).read_text(errors="replace") if logs else ""

    def wait_for(self, pattern: str, timeout: float = 900) -> None:
        """Until the console or the run's log has a matching line (or the process ends: then the
        test fails with its output)."""
        regex = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        while not regex.search("".join(self.lines) + self._logged()):
            assert self.proc.poll() is None and time.monotonic() < deadline, "".join(self.lines[-40:])
            with self.seen:
                self.seen.wait(timeout=0.5)

    def wait_for_file(self, path: Path) -> None:
        while not path.exists():
            assert self.proc.poll() is None, "".join(self.lines[-40:])
            with self.seen:
                self.seen.wait(timeout=0.5)

    def kill9(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def test_killed_at_ingest_dbt_and_publication_then_a_plain_run_leaves_nothing_and_scores_match(pipeline_home, tmp_path):
    from dagster_project.runlock import PID_TAG

    root = tmp_path / "home"
    shutil.copytree(pipeline_home / "landing", root / "landing")
    published = root / "published" / "svcindex.duckdb"
    killed_pids = []

    # 1. killed while ingesting (the first raw table loaded, the others not); meanwhile a second run
    first = CliRun(root, pause_at="ingest")
    first.wait_for_file(root / "paused.ingest")
    second = subprocess.run([SVCINDEX, "run"], capture_output=True, text=True,
                            env={**os.environ, "SVCINDEX_HOME": str(root), "DAGSTER_HOME": str(root / "dagster")})
    assert second.returncode == 1  # a state failure (exit 1), not a usage error
    assert re.search(rf"another run \(pid {first.proc.pid}, started \S+\) holds the warehouse", second.stderr), \
        second.stderr
    first.kill9()
    killed_pids.append(first.proc.pid)

    # 2. killed in the middle of dbt build (30 of its ~126 nodes done)
    run = CliRun(root)
    run.wait_for(r"cleared the lock left by pid %d" % first.proc.pid)
    run.wait_for(r"\b30 of \d+ ")
    run.kill9()
    killed_pids.append(run.proc.pid)

    # 3. killed while writing the publication: its temp file (and .wal) are on disk, no published file yet
    run = CliRun(root, pause_at="publication")
    run.wait_for_file(root / "paused.publication")
    run.kill9()
    killed_pids.append(run.proc.pid)
    leftovers = sorted(p.name for p in published.parent.glob(".svcindex.duckdb.*"))
    assert [n.rsplit(".", 1)[-1] for n in leftovers] == ["tmp", "wal"], leftovers
    assert not published.exists()
    for marker in root.glob("paused.*"):      # the test's own markers, not the pipeline's
        marker.unlink()

    # 4. a plain run
    use_home(root)
    try:
        result = run_nightly()
        assert result.success
        instance = dg.DagsterInstance.get()
        killed = {int(r.tags[PID_TAG]): r for r in instance.get_runs(filters=dg.RunsFilter(job_name="nightly"))
                  if r.tags.get(PID_TAG) and int(r.tags[PID_TAG]) in killed_pids}
    finally:
        use_home(pipeline_home)
    assert sorted(killed) == sorted(killed_pids)
    assert {r.status for r in killed.values()} == {dg.DagsterRunStatus.FAILURE}
    alerted = {json.loads(l)["run_id"] for l in (root / "alerts" / "alerts.jsonl").read_text().splitlines()}
    assert {r.run_id for r in killed.values()} <= alerted
    assert sorted(p.name for p in published.parent.iterdir()) == ["svcindex.duckdb"]
    assert not any((root / "warehouse" / ".duckdb_tmp").glob("*"))
    with duckdb.connect(str(root / "warehouse" / "svcindex.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from information_schema.tables where table_name like '%dbt_tmp%'"
                           " or table_name like '%dbt_backup%'").fetchone()[0] == 0
    assert scores(published) == scores(pipeline_home / "published" / "svcindex.duckdb")
