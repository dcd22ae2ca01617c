"""Jobs, schedules and sensors: what a data engineer sees run in the Dagster UI."""

import json

import dagster as dg

from .assets.ingest import freshness_checks
from .assets.publication import monthly_report, published_warehouse
from .alerts import alert_failed_run
from .partitions import nightly_partitions
from .quality.gate import build_data_docs
from .resources import HomeResource
from .sources import complete_nights


def partition_of(run: dg.DagsterRun | None) -> str | None:
    """The run's partition, or its range of nights (a backfill or `svcindex run`)."""
    if run is None:
        return None
    tags = run.tags
    if "dagster/asset_partition_range_start" in tags:
        return f"{tags['dagster/asset_partition_range_start']}..{tags['dagster/asset_partition_range_end']}"
    return tags.get("dagster/partition")


@dg.failure_hook(name="alert_on_step_failure", required_resource_keys={"home"})
def alert_on_step_failure(context: dg.HookContext) -> None:
    """Alerts from inside the run's own process, however the run was started (CLI, schedule,
    sensor, UI): a run_failure_sensor alone needs the daemon, which `svcindex run` never starts."""
    run = context.instance.get_run_by_id(context.run_id)
    alert = alert_failed_run(context.run_id, context.job_name, partition_of(run),
                             f"step {context.step_key} failed: {context.op_exception or 'see the run log'}",
                             context.resources.home.paths.alerts)
    if alert:
        context.log.error(f"run {context.run_id} failed; alert written to alerts/alerts.jsonl")
    build_data_docs(context.resources.home.paths.quality / "data_docs")  # the pages its checks link to


# DuckDB allows one writer process: steps run one after another inside the run's process.
# Only the ingest assets are partitioned (by extract night): a run over a range of nights plans
# one event per ingest asset and night, and one per dbt model, check and publication, which read
# whatever the warehouse holds. The job takes its partitions from those assets.
nightly_job = dg.define_asset_job(
    "nightly",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(monthly_report)
    - dg.AssetSelection.checks(*freshness_checks),
    executor_def=dg.in_process_executor,
    hooks={alert_on_step_failure},
    description="Ingest the partition's extract nights, build the index with dbt, gate, publish.",
)

monthly_report_job = dg.define_asset_job(
    "monthly_report_job",
    selection=dg.AssetSelection.assets(monthly_report),
    executor_def=dg.in_process_executor,
    hooks={alert_on_step_failure},
    description="The month's workbook and PDF for the Government Office, from the published file.",
)

freshness_job = dg.define_asset_job(
    "freshness",
    selection=dg.AssetSelection.checks(*freshness_checks),
    executor_def=dg.in_process_executor,
    description="Fails a source's freshness check when its newest extract is over 36 hours old.",
)

# 01:30 Vietnam time on D+1 runs partition D; run_key = partition key, so a night runs once.
nightly_schedule = dg.build_schedule_from_partitioned_job(
    nightly_job, hour_of_day=1, minute_of_hour=30, name="nightly_schedule",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

freshness_schedule = dg.ScheduleDefinition(
    job=freshness_job, cron_schedule="0 * * * *", execution_timezone="Asia/Ho_Chi_Minh",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

CORE_SOURCES = ("dvcqg_coquan", "csdl_tthc", "dvcqg_hoso")


@dg.sensor(job=nightly_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Starts one run for the nights whose dossier, unit and procedure manifests have landed "
                       "and whose dossiers are not yet ingested.")
def landing_sensor(context: dg.SensorEvaluationContext, home: HomeResource):
    landing = home.paths.landing
    ready = set.intersection(*(set(complete_nights(landing, s)) for s in CORE_SOURCES))
    done = context.instance.get_materialized_partitions(dg.AssetKey(["raw", "dvcqg_hoso"]))
    new = sorted((ready & set(nightly_partitions.get_partition_keys())) - done)
    if new:
        # several nights landing together (a re-delivery, a catch-up) are one run, like a backfill
        yield dg.RunRequest(run_key=f"{new[0]}..{new[-1]}", tags={
            "dagster/asset_partition_range_start": new[0], "dagster/asset_partition_range_end": new[-1]})


@dg.asset_sensor(asset_key=published_warehouse.key, job=monthly_report_job,
                 default_status=dg.DefaultSensorStatus.RUNNING,
                 description="After each publication, rewrites the report of the published month.")
def report_after_publication(context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry):
    materialization = asset_event.asset_materialization
    as_of = materialization.metadata["as_of_date"].value if materialization else None
    if as_of:
        month = str(as_of)[:7] + "-01"
        yield dg.RunRequest(run_key=f"{month}:{asset_event.run_id}", partition_key=month)


@dg.run_failure_sensor(monitored_jobs=[nightly_job, monthly_report_job], default_status=dg.DefaultSensorStatus.RUNNING,
                       description="Records every failed run in $SVCINDEX_HOME/alerts/alerts.jsonl and calls the notifier hook.")
def alert_on_failure(context: dg.RunFailureSensorContext, home: HomeResource):
    """Catches, under the daemon, failures no step saw (a run worker that died); a run the
    failure hook already reported is not alerted twice (alert_failed_run keeps one per run)."""
    run = context.dagster_run
    alert = alert_failed_run(run.run_id, run.job_name, partition_of(run), context.failure_event.message,
                             home.paths.alerts)
    if alert:
        context.log.error(f"run {run.run_id} failed; alert written: {json.dumps(alert, ensure_ascii=False)}")
