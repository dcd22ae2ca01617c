"""The one Definitions object: assets, checks, jobs, schedules, sensors and resources."""
from __future__ import annotations

import dagster as dg

from .assets.ingest import freshness_checks, ingest_assets, load_log
from .assets.publication import monthly_report, published_warehouse, score_checks
from .assets.sync import sync_gap_check
from .assets.transform import dbt_models
from .progress import RUN_LOGGER_DESCRIPTION, run_logger
from .resources import resources
from .jobs import (alert_on_failure, freshness_job, freshness_schedule, landing_sensor, monthly_report_job,
                   nightly_job, nightly_schedule, report_after_publication)

defs = dg.Definitions(
    assets=[*ingest_assets, load_log, dbt_models, published_warehouse, monthly_report],
    asset_checks=[*score_checks, *freshness_checks, sync_gap_check],
    jobs=[nightly_job, monthly_report_job, freshness_job],
    schedules=[nightly_schedule, freshness_schedule],
    sensors=[landing_sensor, report_after_publication, alert_on_failure],
    resources=resources(),
    executor=dg.in_process_executor,
    # console: Dagster's default; svcindex: the CLI's run log and stage display (progress.py),
    # selected by run config so that runs the CLI records through the code location can use it
    loggers={"console": dg.colored_console_logger, "svcindex": dg.LoggerDefinition(run_logger, description=RUN_LOGGER_DESCRIPTION)},
)
