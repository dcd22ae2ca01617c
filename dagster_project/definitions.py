"""The one Definitions object: assets, checks, jobs, schedules and resources."""
from __future__ import annotations

import dagster as dg

from .assets.ingest import ingest_assets
from .assets.publication import monthly_report, published_warehouse, score_checks
from .assets.transform import dbt_models, dbt_resource

# DuckDB allows one writer process: steps run one after another in the run's own process.
nightly_job = dg.define_asset_job(
    "nightly",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Ingest every complete landing night, build the index with dbt, gate, publish, report.",
)

nightly_schedule = dg.ScheduleDefinition(
    job=nightly_job, cron_schedule="30 1 * * *", execution_timezone="Asia/Ho_Chi_Minh",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

defs = dg.Definitions(
    assets=[*ingest_assets, dbt_models, published_warehouse, monthly_report],
    asset_checks=score_checks,
    jobs=[nightly_job],
    schedules=[nightly_schedule],
    resources={"dbt": dbt_resource()},
    executor=dg.in_process_executor,
)
