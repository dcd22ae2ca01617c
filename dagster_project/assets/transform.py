"""dbt: every model and seed an asset, every dbt test an asset check (dagster-dbt)."""

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any, Mapping

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from ..settings import DBT_PROJECT_DIR, home

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


class TransformConfig(dg.Config):
    rule_version: str = "2026"
    as_of_date: str | None = None  # default: the latest loaded extract night
    full_refresh: bool = False


def dbt_build_args(config: TransformConfig) -> list[str]:
    """The dbt CLI arguments for a run; a pure function so it can be tested alone."""
    dbt_vars: dict[str, Any] = {"rule_version": config.rule_version}
    if config.as_of_date:
        dbt_vars["as_of_date"] = config.as_of_date
    args = ["build", "--vars", json.dumps(dbt_vars, sort_keys=True)]
    if config.full_refresh:
        args.append("--full-refresh")
    return args


class LayerTranslator(DagsterDbtTranslator):
    """Asset groups follow the dbt layer folder (staging, intermediate, marts); seeds are the rulebook."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "rulebook"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "transform"


def dbt_resource() -> DbtCliResource:
    os.environ["SVCINDEX_HOME"] = str(home().root)  # the dbt profile reads it; must be absolute
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return DbtCliResource(project_dir=dbt_project, profiles_dir=os.fspath(DBT_PROJECT_DIR),
                          dbt_executable=os.fspath(Path(sys.executable).parent / "dbt"))


KEEP_RUN_ARTIFACTS = 7


def run_artifacts_dir(run_id: str) -> Path:
    """dbt's target folder for one run, under SVCINDEX_HOME; only the last few runs are kept."""
    runs = home().root / "dbt_runs"
    for old in sorted(runs.glob("*/"), key=lambda p: p.stat().st_mtime)[:-(KEEP_RUN_ARTIFACTS - 1)]:
        shutil.rmtree(old, ignore_errors=True)
    return runs / run_id


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=LayerTranslator())
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: TransformConfig):
    home().ensure()
    yield from dbt.cli(dbt_build_args(config), context=context,
                       target_path=run_artifacts_dir(context.run.run_id)).stream()
