"""The whole graph, in process, on simulated data: simulate → ingest → dbt → gate → publish → report."""
from __future__ import annotations

import duckdb
import dagster as dg


def test_definitions_load():
    from dagster_project.definitions import defs

    dg.Definitions.validate_loadable(defs)
    repo = defs.get_repository_def()
    keys = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    assert {"raw/dvcqg_hoso", "raw/dvcqg_coquan", "raw/csdl_tthc", "marts/fct_unit_scores",
            "published_warehouse", "monthly_report"} <= keys
    assert repo.get_schedule_def("nightly_schedule").cron_schedule == "30 1 * * *"
    graph = repo.asset_graph
    assert {graph.get(k).group_name for k in graph.get_all_asset_keys()} == \
        {"ingest", "rulebook", "staging", "intermediate", "marts", "publish", "report"}
    assert not [k for k in graph.get_all_asset_keys() if not graph.get(k).description]
    checks = {k.name for k in repo.asset_graph.asset_check_keys}
    assert {"batch_gate", "unit_scores_gate", "group_scores_gate"} <= checks


def test_whole_graph_publishes_unit_scores(pipeline_home):
    published = pipeline_home / "published" / "svcindex.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute("select * from unit_scores").df()
        log = con.execute("select count(*) from publication_log").fetchone()[0]
    assert len(rows) > 0
    assert {"H44", "H55"} <= set(rows.unit_code)
    rated = rows[rows.rated]           # an unrated unit (rulebook §5a) has no total
    assert len(rated) > 0 and rows[~rows.rated].total.isna().all()
    assert (rated.total == (rated.ckmb + rated.tdgq + rated.clgq + rated.tttt + rated.mdsh + rated.mdhl).round(2)).all()
    assert log == 1
    reports = list((pipeline_home / "reports").rglob("*.xlsx"))
    assert reports, "the monthly workbook was not written"


def test_same_file_delivered_twice_counts_once(pipeline_home, second_run_home):
    """second_run_home's night 2026-10-04 is night 3 delivered again: every file of an event source
    that came byte for byte as night 3's is skipped (no load_log row, no raw row more). A snapshot
    source is a whole list each night and loads again."""
    from dagster_project.sources import spec_for

    landing = second_run_home.root / "landing"
    rows = {}  # event source whose night-4 files are night 3's bytes -> its raw rows before and after
    for source_dir in sorted(p for p in landing.iterdir() if p.is_dir()):
        spec = spec_for(source_dir.name)
        again = {f.name: f.read_bytes() for f in (source_dir / "2026-10-04").glob("part-*")}
        if spec.snapshot or again != {f.name: f.read_bytes() for f in (source_dir / "2026-10-03").glob("part-*")}:
            continue
        counted = []
        for root in (pipeline_home, second_run_home.root):
            with duckdb.connect(str(root / "warehouse" / "svcindex.duckdb"), read_only=True) as con:
                counted.append(con.execute(f"select count(*) from {spec.table} where _file like ?",
                                           [f"{source_dir.name}/%"]).fetchone()[0])
                logged = con.execute("select count(*) from raw.load_log where file_name like ?",
                                     [f"{source_dir.name}/2026-10-04/%"]).fetchone()[0]
        assert logged == 0, source_dir.name
        rows[source_dir.name] = tuple(counted)
    assert all(before == after for before, after in rows.values()), rows
    assert rows["agency_viettel"][0] > 0 and rows["dvcqg_danhgia"][0] > 0, rows


def test_backfill_of_three_nights_runs_as_one_run(pipeline_home):
    instance = dg.DagsterInstance.get()
    runs = instance.get_runs(filters=dg.RunsFilter(job_name="nightly"))
    assert len(runs) == 1
    tags = runs[0].tags
    assert (tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"]) == \
        ("2026-10-01", "2026-10-03")
    # planned once per asset with the range (runs.planned_per_asset), not once per asset and night
    planned = instance.get_records_for_run(runs[0].run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
                                           limit=10_000).records
    keys = [r.event_log_entry.dagster_event.asset_key for r in planned]
    assert len(keys) == len(set(keys)) and dg.AssetKey(["raw", "dvcqg_hoso"]) in keys
    with duckdb.connect(str(pipeline_home / "warehouse" / "svcindex.duckdb"), read_only=True) as con:
        nights = con.execute("""select source, count(distinct extract_date) from raw.load_log
                                where status = 'loaded' group by source""").fetchall()
    assert dict(nights)["dvcqg_hoso"] == 3 and dict(nights)["dvcqg_coquan"] == 3
