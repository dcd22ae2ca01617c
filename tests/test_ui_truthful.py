"""What the Dagster UI shows is true: each night's own figures, partitions from the first delivered
night, warnings as warnings, Data Docs of every suite over http and styled without a CDN."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request

import dagster as dg
import duckdb

from conftest import files_frame
from dagster_project.quality.docs_server import serve_in_background
from dagster_project.quality.gate import validate


def _materialisations(key):
    instance = dg.DagsterInstance.get()
    records = instance.fetch_materializations(dg.AssetKey(key), limit=1000).records
    return {r.asset_materialization.partition: r.asset_materialization.metadata for r in records}


def test_each_nights_materialisation_carries_that_nights_rows(pipeline_home):
    from conftest import use_home

    use_home(pipeline_home)
    by_night = _materialisations(["raw", "dvcqg_hoso"])
    with duckdb.connect(str(pipeline_home / "warehouse" / "svcindex.duckdb"), read_only=True) as con:
        loaded = dict(con.execute("""select extract_date::varchar, sum(rows_loaded) from raw.load_log
                                     where source = 'dvcqg_hoso' and status = 'loaded' group by all""").fetchall())
    assert len(loaded) == 3 and len(set(loaded.values())) > 1  # the nights differ, so the test can tell
    assert set(by_night) == set(loaded)
    for night, rows in loaded.items():
        meta = by_night[night]
        assert meta["rows_loaded"].value == rows, night
        assert night in meta["night_files"].value and "2026-10-0" in meta["batch_nights"].value
        assert meta["data_docs"].value.startswith("http://127.0.0.1:")


def test_partitions_start_at_the_first_delivered_night(pipeline_home, tmp_path):
    from dagster_project.partitions import EARLIEST_NIGHT, first_night

    assert first_night(pipeline_home / "landing") == "2026-10-01"
    assert first_night(tmp_path) == EARLIEST_NIGHT
    # the definitions, loaded fresh on that home, as the UI loads them
    code = ("from dagster_project.definitions import defs; "
            "p = defs.resolve_job_def('nightly').partitions_def; keys = p.get_partition_keys(); "
            "print(keys[0], len(keys))")
    env = {**os.environ, "SVCINDEX_HOME": str(pipeline_home), "PYTHONWARNINGS": "ignore"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    first, count = out.split()
    assert first == "2026-10-01" and int(count) >= 3


def test_a_gate_with_warnings_reports_a_warning_not_a_pass():
    clean, warned, blocked = (validate("ingest_files", files_frame(r)) for r in (0.0, 0.005, 0.05))
    assert (clean.check_passed, clean.check_severity) == (True, dg.AssetCheckSeverity.ERROR)
    # failed with WARN: Dagster shows a warning and, unlike ERROR, does not stop downstream assets
    assert (warned.check_passed, warned.check_severity) == (False, dg.AssetCheckSeverity.WARN)
    assert warned.passed  # ... and publication goes on
    assert (blocked.check_passed, blocked.check_severity) == (False, dg.AssetCheckSeverity.ERROR)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_data_docs_of_every_suite_are_served_over_http_without_a_cdn(pipeline_home):
    docs = pipeline_home / "quality" / "data_docs"
    server = serve_in_background(docs, _free_port())
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        index = urllib.request.urlopen(f"{base}/index.html", timeout=10).read().decode()
        with duckdb.connect(str(pipeline_home / "warehouse" / "svcindex.duckdb"), read_only=True) as con:
            suites = {s for (s,) in con.execute("select distinct suite from ops.quality_results").fetchall()}
        assert {"ingest_files", "dvcqg_hoso_batch", "unit_scores", "group_scores", "criterion_scores"} <= suites
        for suite in suites:
            assert f"{suite}" in index, suite
        # every validation result of the run has its page (built once, by the publication)
        results = sorted(p.relative_to(pipeline_home / "quality" / "gx" / "uncommitted" / "validations").with_suffix("")
                         for p in (pipeline_home / "quality" / "gx" / "uncommitted" / "validations").glob("*/*/*/*.json"))
        pages = sorted(p.relative_to(docs / "validations").with_suffix("") for p in docs.glob("validations/*/*/*/*.html"))
        assert len(results) >= 20 and pages == results
        head = index.split("<body", 1)[0]
        assert "cdn" not in head.replace("cdn.", "") and "/static/styles/offline.css" in head
        for tag in ("<link", "<script"):
            assert not [t for t in head.split(tag)[1:] if 'https://' in t.split(">", 1)[0]], tag
        css = urllib.request.urlopen(f"{base}/static/styles/offline.css", timeout=10)
        assert css.status == 200 and b".card" in css.read()
        page = json.dumps(_materialisations(["raw", "dvcqg_hoso"])["2026-10-01"]["data_docs"].value)
        path = json.loads(page).split("127.0.0.1:8081", 1)[1]
        assert urllib.request.urlopen(base + path, timeout=10).status == 200
    finally:
        server.shutdown()
        server.server_close()


def test_cli_runs_carry_their_code_location_like_ui_runs(pipeline_home):
    """The overview timeline and the code location's run list select runs by this origin."""
    from conftest import use_home
    from dagster_project.runs import LOCATION_NAME

    use_home(pipeline_home)
    instance = dg.DagsterInstance.get()
    runs = instance.get_runs(dg.RunsFilter(job_name="nightly"))
    assert runs
    for run in runs:
        origin = run.remote_job_origin
        assert origin is not None and origin.location_name == LOCATION_NAME == "dagster_project.definitions"
        assert run.tags_for_storage()[".dagster/repository"] == f"__repository__@{LOCATION_NAME}"
    labelled = instance.get_runs(dg.RunsFilter(tags={".dagster/repository": f"__repository__@{LOCATION_NAME}"}))
    assert {r.run_id for r in runs} <= {r.run_id for r in labelled}
    assert any(r.job_name == "monthly_report_job" for r in labelled)
