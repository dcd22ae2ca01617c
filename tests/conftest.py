"""Shared fixtures: one small simulated warehouse, built once per test session by the real job."""
from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

# A pytest-xdist worker (`make test`) runs under `python -c`: its __main__ has neither __spec__ nor
# __file__. pyspark (a dev dependency, for the Spark parity test) takes that for a doctest session:
# when Great Expectations probes `pyspark.sql.connect` at import, pyspark calls sys.exit(0) in the
# middle of the step that imported it (pyspark/sql/connect/utils.py, check_dependencies).
if not hasattr(sys.modules["__main__"], "__file__"):
    sys.modules["__main__"].__file__ = sys.argv[0] or "pytest"

# The files with runs of the job of their own go first, longest first (--durations of a two-worker
# run), so that the short files fill in at the end rather than one long file running alone on one
# worker. pytest-xdist hands out test files in collection order once told not to reorder them by
# their number of tests (pytest_xdist_make_scheduler below): the first worker starts on
# test_run_safety.py and builds `pipeline_home`, the second on test_reform_map.py (a home of its
# own) and, since that file has only two tests, the readers of `second_run_home`, which by then
# find `pipeline_home` built.
LONGEST_FIRST = ("test_run_safety.py", "test_reform_map.py", "test_incremental.py", "test_spark_parity.py",
                 "test_lower_levels.py", "test_sync_and_warning.py", "test_sources_whole_nights.py",
                 "test_dbt_tdgq.py", "test_scenario.py", "test_dbt_phutho.py")


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))   # stable: a file's tests keep their order


# The files that read `second_run_home` go to one worker together: one build of it (≈ 30 s), not one
# per worker. (xdist's controller sees node ids only, not the fixtures a test asks for.)
SECOND_RUN_READERS = {p.name for p in Path(__file__).parent.glob("test_*.py") if "second_run_home" in p.read_text()}


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (make test), with the readers of `second_run_home` as one unit of work."""
    if config.getvalue("dist") != "loadfile":
        return None
    config.option.loadscopereorder = False  # xdist would put the files with the most tests first
    from xdist.scheduler import LoadFileScheduling

    class FilesSharingASessionRun(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = super()._split_scope(nodeid)
            return "second_run_home" if Path(file).name in SECOND_RUN_READERS else file

    return FilesSharingASessionRun(config, log)


SAMPLE_PROVINCES = ["H44", "H55"]
SAMPLE_START, SAMPLE_END = date(2026, 10, 1), date(2026, 10, 3)
SAMPLE_SCALE = 0.002


def use_home(root: Path) -> None:
    """Point every component (Dagster, dbt, CLI) at this SVCINDEX_HOME, as the CLI does."""
    from dagster_project.cli import prepare_environment

    os.environ["SVCINDEX_HOME"] = str(root)
    os.environ["DAGSTER_HOME"] = str(root / "dagster")
    prepare_environment()


@contextlib.contextmanager
def fresh_home(tmp_path_factory, name: str):
    """A new home, current while the block simulates into it; the home found before is current
    again afterwards (a fixture of its own needs no session run)."""
    previous = Path(os.environ["SVCINDEX_HOME"])
    root = tmp_path_factory.mktemp(name)
    use_home(root)
    try:
        yield root
    finally:
        use_home(previous)


def svcindex_run(root: Path, *args: str) -> None:
    """`svcindex run` in its own process, as a night's run is: the definitions (partitions from the
    first landed night) load for this home, not for the session's."""
    run = subprocess.run([str(Path(sys.executable).parent / "svcindex"), "run", *args], capture_output=True, text=True,
                         env={**os.environ, "SVCINDEX_HOME": str(root), "DAGSTER_HOME": str(root / "dagster")})
    assert run.returncode == 0, run.stdout + run.stderr


def run_dbt(root: Path, *args: str) -> tuple[subprocess.CompletedProcess, Path]:
    """`dbt ARGS` on the warehouse of the home at `root`, one thread: the finished process and
    its target folder (manifest, run_results) in the home."""
    from dagster_project.dbt_project import vars_args
    from dagster_project.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Home

    target = root / "dbt_test_target"
    proc = subprocess.run(
        [str(DBT_EXECUTABLE), *args, "--profiles-dir", ".", "--target-path", str(target),
         "--log-path", str(root / "dbt_logs"), *vars_args(Home(root), {"duckdb_threads": "1"})],
        cwd=DBT_PROJECT_DIR, env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True, text=True)
    return proc, target


@pytest.fixture(scope="session", autouse=True)
def _environment(tmp_path_factory):
    use_home(tmp_path_factory.mktemp("default_home"))


@pytest.fixture(scope="session")
def pipeline_home(tmp_path_factory, worker_id):
    """A home with three simulated nights for two provinces, after one nightly run over all three
    (a backfill as one run); read-only.

    Built once per test session, under pytest-xdist too: the first worker to ask builds it under a
    file lock in the directory the workers share, the other waits for it (a run of the job, about
    a sixth of a worker's time, is not paid twice)."""
    from filelock import FileLock

    from dagster_project.cli import run_nightly
    from dagster_project.settings import home
    from dagster_project.simulate import simulate

    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    root = shared / "pipeline_home"
    built, failed = shared / "pipeline_home.built", shared / "pipeline_home.failed"
    with FileLock(shared / "pipeline_home.lock"):
        if failed.exists():
            pytest.fail("the nightly run on simulated data failed (in another worker: see its first failure)")
        if not built.exists():
            failed.touch()  # until the run succeeds: whatever stops it, the other worker does not build on its leftovers
            use_home(root)
            simulate(home().landing, SAMPLE_START, SAMPLE_END, scale=SAMPLE_SCALE, seed=7, provinces=SAMPLE_PROVINCES)
            assert run_nightly().success, "the nightly run on simulated data failed"
            failed.unlink()
            built.touch()
    use_home(root)
    return root


@contextlib.contextmanager
def private_copy(source: Path, tmp_path: Path):
    """A copy of a fixture's home, current while the block runs; the home found before is current
    again afterwards."""
    previous = Path(os.environ["SVCINDEX_HOME"])
    root = tmp_path / "home"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("*.tmp", ".duckdb_tmp"))
    use_home(root)
    try:
        yield root
    finally:
        use_home(previous)


@pytest.fixture
def copied_home(pipeline_home, tmp_path):
    """A private copy of the session home, for tests that add nights or fail runs."""
    with private_copy(pipeline_home, tmp_path) as root:
        yield root


# --- a second run on a copy of the session home, shared by the tests that only read its outcome ---

def redeliver_night(landing: Path, night: str) -> None:
    """Every source's last night delivered again as `night` (the same files, manifest re-dated)."""
    for source_dir in sorted(p for p in landing.iterdir() if p.is_dir()):
        last = sorted(p for p in source_dir.iterdir() if p.is_dir())[-1]
        shutil.copytree(last, source_dir / night)
        manifest = json.loads((source_dir / night / "_manifest.json").read_text())
        manifest["extract_date"] = night
        (source_dir / night / "_manifest.json").write_text(json.dumps(manifest))


def dossier_lines(folder: Path) -> list[str]:
    return gzip.decompress((folder / "part-00000.jsonl.gz").read_bytes()).decode().splitlines()


def rewrite_dossiers(folder: Path, lines: list[str]) -> None:
    """The night's dossier file rewritten with `lines` (new bytes), its manifest entry to match."""
    part = folder / "part-00000.jsonl.gz"
    data = gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0)
    part.write_bytes(data)
    manifest = json.loads((folder / "_manifest.json").read_text())
    manifest["files"] = [{"name": part.name, "rows": len(lines), "sha256": hashlib.sha256(data).hexdigest()}]
    (folder / "_manifest.json").write_text(json.dumps(manifest))


def late_september_dossier(template: str, night: str, serial: str) -> str:
    """A dossier of the template line's unit received on 15 September (a closed month) and still
    open, updated on `night`: it is overdue, so the unit's September TDGQ.1 and total change."""
    late = json.loads(template)
    late.update(MaHoSo=f"{late['MaCoQuan']}-260915-{serial}", TrangThaiHoSo=4, KenhThucHien=1,
                NgayNopHoSo="20260915080000", NgayTiepNhan="20260915080000", NgayHenTra="20260918170000",
                NgayKetThucXuLy=None, NgayTra=None, NgayTuChoi=None, NgayCapNhat=f"{night.replace('-', '')}100000",
                DanhSachHoSoBoSung=[], DanhSachGiayToKetQua=[])
    return json.dumps(late, ensure_ascii=False)


@dataclass(frozen=True)
class SecondRun:
    """What `second_run_home` did and what the CLI said."""
    root: Path
    exit_code: int
    output: str              # stdout + stderr of `svcindex run`
    late_unit: str           # its late September dossier came in the new night 2026-10-04
    overdue_dossier: str     # received 1 October, due 2 October, still open on 4 October (an H44 unit)
    sync_unit: str           # an H44 unit synced in part in September; in October one agency dossier, none on the portal
    sync_september: float    # that unit's CKMB.4 ratio in September
    corrected_unit: str      # its late September dossier came in a corrected re-delivery of night 3
    corrected_file: str      # landing-relative name of the corrected file
    old_sha: str
    new_sha: str


def overdue_october_dossier(template: str, serial: str) -> str:
    """A dossier of the template line's unit received on 1 October, due on the 2nd, still open."""
    dossier = json.loads(late_september_dossier(template, "2026-10-04", serial))
    dossier.update(MaHoSo=f"{dossier['MaCoQuan']}-261001-{serial}", NgayNopHoSo="20261001080000",
                   NgayTiepNhan="20261001080000", NgayHenTra="20261002170000")
    return json.dumps(dossier, ensure_ascii=False)


def add_agency_dossier(folder: Path, unit: str, received: str) -> None:
    """One more dossier in a night's VNPT agency file (a local system; never synced to the portal)."""
    part = folder / "part-00000.csv"
    text = part.read_text(encoding="utf-8")
    code, procedure, *_ = text.splitlines()[1].split(";")
    text += f"{unit}-{received[8:10]}{received[3:5]}{received[:2]}-99996;{procedure};{unit};Trực tuyến;4;{received} 09:00;" \
            f"30/10/2026 09:00;{received} 10:00\n"
    part.write_text(text, encoding="utf-8")
    data = part.read_bytes()
    manifest = json.loads((folder / "_manifest.json").read_text())
    manifest["files"] = [{"name": part.name, "rows": len(text.splitlines()) - 1, "sha256": hashlib.sha256(data).hexdigest()}]
    (folder / "_manifest.json").write_text(json.dumps(manifest))


@pytest.fixture(scope="session")
def second_run_home(pipeline_home, tmp_path_factory):
    """A copy of the session home after a second `svcindex run` (the CLI, in process), over:
    - night 2026-10-04, a copy of night 3 of every source plus one dossier received in closed
      September (unit `late_unit`): late data, published with a restatement;
    - night 3's dossier file corrected (same name, new bytes: one more September dossier of
      another unit, `corrected_unit`): a correction, restated naming the file.
    - for the README's example queries 4 and 5: an H44 dossier received on 1 October, due on the
      2nd and still open (overdue), and one October dossier in VNPT's agency file for `sync_unit`,
      which has none on the portal (its CKMB.4 sync ratio falls from September's).
    One run serves the tests of both restatements, the README queries and the CLI's quiet output;
    read-only."""
    from dagster_project.cli import main

    root = tmp_path_factory.mktemp("second_run_home")
    shutil.copytree(pipeline_home, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.tmp", ".duckdb_tmp"))
    landing = root / "landing"
    night3 = sorted((landing / "dvcqg_hoso").iterdir())[-1]
    lines = dossier_lines(night3)
    with duckdb.connect(str(pipeline_home / "published" / "svcindex.duckdb"), read_only=True) as con:
        rated = {u for (u,) in con.execute("""select unit_code from unit_scores
                                               where period = '2026-09' and total is not null""").fetchall()}
        # README query 5's case: synced in part in September, nothing counted in October yet
        sync_unit, sync_september = con.execute("""
            select unit_code, ratio from criterion_scores s
            where criterion_code = 'CKMB.4' and period_type = 'month' and period = '2026-09' and ratio > 0
              and unit_code like 'H44.%' and not exists (
                  select 1 from criterion_scores o where o.unit_code = s.unit_code and o.criterion_code = 'CKMB.4'
                  and o.period = '2026-10' and o.denominator > 0)
            order by ratio desc, unit_code limit 1""").fetchone()
    units = list(dict.fromkeys(json.loads(line)["MaCoQuan"] for line in lines))
    corrected_unit, late_unit = [u for u in units if u in rated and u != sync_unit][:2]
    template = {json.loads(line)["MaCoQuan"]: line for line in reversed(lines)}
    h44 = next(u for u in units if u.startswith("H44.") and u != sync_unit)
    overdue = overdue_october_dossier(template[h44], "99997")

    redeliver_night(landing, "2026-10-04")
    rewrite_dossiers(landing / "dvcqg_hoso" / "2026-10-04",
                     lines + [late_september_dossier(template[late_unit], "2026-10-04", "99999"), overdue])
    add_agency_dossier(landing / "agency_vnpt" / "2026-10-04", sync_unit, "04/10/2026")
    old_sha = hashlib.sha256((night3 / "part-00000.jsonl.gz").read_bytes()).hexdigest()
    rewrite_dossiers(night3, lines + [late_september_dossier(template[corrected_unit], night3.name, "99998")])
    new_sha = hashlib.sha256((night3 / "part-00000.jsonl.gz").read_bytes()).hexdigest()

    use_home(root)
    said = io.StringIO()
    try:
        with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
            code = main(["run"])
    finally:
        use_home(pipeline_home)
    return SecondRun(root, code, said.getvalue(), late_unit, json.loads(overdue)["MaHoSo"], sync_unit,
                     sync_september, corrected_unit, f"dvcqg_hoso/{night3.name}/part-00000.jsonl.gz", old_sha, new_sha)


@pytest.fixture
def copied_second_run_home(second_run_home, tmp_path):
    """A private copy of `second_run_home`'s outcome, for a test that goes on from it."""
    with private_copy(second_run_home.root, tmp_path) as root:
        yield root


def files_frame(quarantine_rate: float):
    """The `ingest_files` suite's frame of one loaded file with this quarantine rate."""
    import pandas as pd

    return pd.DataFrame({"status": ["loaded"], "quarantine_rate": [quarantine_rate], "volume_ratio": [1.0]})
