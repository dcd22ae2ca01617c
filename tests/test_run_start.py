"""A run's start: it ingests only the nights the load log does not account for, and a run with
nothing new answers from the inputs' fingerprint without importing Dagster or dbt."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys

from dagster_project.inputs import nights_to_ingest
from dagster_project.sources import complete_nights
from dagster_project.settings import Home


def test_only_new_redelivered_or_late_nights_are_ingested(copied_home):
    h = Home(copied_home)
    landed = complete_nights(h.landing)
    assert landed == ["2026-10-01", "2026-10-02", "2026-10-03"]
    assert nights_to_ingest(h, landed) == []          # the session's run loaded all three

    # a new night for every source (a copy of the last, so most of its files are known bytes)
    for source_dir in sorted(p for p in h.landing.iterdir() if p.is_dir()):
        shutil.copytree(source_dir / "2026-10-03", source_dir / "2026-10-05")
    # ... its dossier file with new bytes (the same lines, compressed otherwise): never loaded
    folder = h.landing / "dvcqg_hoso" / "2026-10-05"
    data = gzip.compress(gzip.decompress((folder / "part-00000.jsonl.gz").read_bytes()), compresslevel=1, mtime=0)
    (folder / "part-00000.jsonl.gz").write_bytes(data)
    manifest = json.loads((folder / "_manifest.json").read_text())
    manifest["files"][0]["sha256"] = hashlib.sha256(data).hexdigest()
    (folder / "_manifest.json").write_text(json.dumps(manifest))
    assert nights_to_ingest(h, complete_nights(h.landing)) == ["2026-10-05"]

    # a correction of night 2 (the same file name, new bytes) and a late night 4
    night2 = h.landing / "dvcqg_pakn" / "2026-10-02"
    m2 = json.loads((night2 / "_manifest.json").read_text())
    m2["files"][0]["sha256"] = "0" * 64
    (night2 / "_manifest.json").write_text(json.dumps(m2))
    shutil.copytree(h.landing / "dvcqg_coquan" / "2026-10-03", h.landing / "dvcqg_coquan" / "2026-10-04")
    assert nights_to_ingest(h, complete_nights(h.landing)) == ["2026-10-02", "2026-10-05"]
    # (night 4's only file is the same bytes as night 3's: the loader skips it, so it is accounted for)


def test_nothing_new_answers_without_dagster_or_dbt(copied_home):
    code = ("import sys; from dagster_project.cli import main; code = main(['run', '--log-level', 'WARNING']); "
            "print('EXIT', code, 'dagster' in sys.modules, 'dbt' in sys.modules)")
    env = {**os.environ, "SVCINDEX_HOME": str(copied_home), "DAGSTER_HOME": str(copied_home / "dagster")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert "nothing new since 2026-10-03" in out
    assert "EXIT 0 False False" in out
