"""Runs started from the command line, recorded like runs launched from the UI.

`JobDefinition.execute_in_process` records a run with no code-location origin, so the UI leaves
it out of the overview timeline and of its code location's runs. `dagster job launch` does what
the UI does: it resolves the job through a workspace, creates the run with its remote job origin
(which tags it `.dagster/repository` = repository@location) and submits it to the run launcher,
a separate process. Here the same run record is created the same way, through an in-process
code location named as `svcindex ui` names it, and executed in this process with
`execute_run` (DuckDB allows one writer process; the steps are small).
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import dagster as dg

# `dagster dev -m dagster_project.definitions` (svcindex ui) names its code location after the module.
MODULE = "dagster_project.definitions"
LOCATION_NAME = MODULE


# Dagster's switch for it, read in dagster/_core/storage/event_log/base.py
PLAN_RANGES_WHOLE = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"


@contextmanager
def planned_per_asset(tags: Mapping[str, str]) -> Iterator[None]:
    """A run over a range of nights is planned with one event per asset, carrying the range,
    instead of one per asset and night.

    On a SQLite instance Dagster plans a ranged run night by night for every asset of the job, the
    unpartitioned ones too (each dbt model and seed, the publication): a 31-night run wrote 2,201
    such events before its first step (README, "Tests"). What the switch costs: if such a run
    fails, the partitions view does not mark its nights failed (the run shows failed and alerts,
    as every failed run does). A one-night run, the nightly schedule's, is planned as before."""
    if tags.get("dagster/asset_partition_range_start") == tags.get("dagster/asset_partition_range_end"):
        yield
        return
    before = os.environ.get(PLAN_RANGES_WHOLE)
    os.environ[PLAN_RANGES_WHOLE] = "true"
    try:
        yield
    finally:
        if before is None:
            del os.environ[PLAN_RANGES_WHOLE]
        else:
            os.environ[PLAN_RANGES_WHOLE] = before


def execute_with_origin(job_name: str, run_config: Mapping, tags: Mapping[str, str] | None = None,
                        partition_key: str | None = None, instance: dg.DagsterInstance | None = None,
                        run_id: str | None = None):
    """Create the run with its code-location origin and execute it here; returns its result."""
    from dagster._utils.hosted_user_process import recon_job_from_origin
    from dagster._core.execution.api import execute_run
    from dagster._core.remote_origin import InProcessCodeLocationOrigin
    from dagster._core.definitions.selector import JobSubsetSelector
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

    from .settings import PROJECT_ROOT

    instance = instance or dg.DagsterInstance.get()
    target = LoadableTargetOrigin(module_name=MODULE, working_directory=str(PROJECT_ROOT))
    origin = InProcessCodeLocationOrigin(loadable_target_origin=target, location_name=LOCATION_NAME)
    with origin.create_location(instance) as location:
        repo = next(iter(location.get_repositories().values()))
        remote_job = location.get_job(JobSubsetSelector(location_name=location.name, repository_name=repo.name,
                                                        job_name=job_name, op_selection=None))
        all_tags = {**remote_job.tags, **(tags or {})}
        if partition_key:
            all_tags["dagster/partition"] = partition_key
        plan = location.get_execution_plan(remote_job, run_config, step_keys_to_execute=None, known_state=None,
                                           instance=instance)
        with planned_per_asset(all_tags):
            run = instance.create_run(
                job_name=job_name, run_id=run_id, run_config=run_config,
                resolved_op_selection=remote_job.resolved_op_selection, step_keys_to_execute=None,
                op_selection=None, status=None, root_run_id=None, parent_run_id=None, tags=all_tags,
                job_snapshot=remote_job.job_snapshot, execution_plan_snapshot=plan.execution_plan_snapshot,
                parent_job_snapshot=remote_job.parent_job_snapshot,
                remote_job_origin=remote_job.get_remote_origin(), job_code_origin=remote_job.get_python_origin(),
                asset_selection=None, asset_check_selection=None, asset_graph=repo.asset_graph)
    return execute_run(recon_job_from_origin(run.job_code_origin), run, instance)
