"""dbt: every model and seed an asset, every dbt test an asset check (dagster-dbt)."""

import json
import shutil
from pathlib import Path
from typing import Any, Mapping

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from ..dbt_project import dbt_project
from ..resources import HomeResource
from ..settings import Home, dbt_vars


class TransformConfig(dg.Config):
    rule_version: str = "2026"
    as_of_date: str | None = None  # default: the latest loaded extract night
    full_refresh: bool = False


def dbt_build_args(config: TransformConfig, home: Home | None = None) -> list[str]:
    """The dbt CLI arguments for a run; a pure function so it can be tested alone.

    With `home`, the vars also carry what the profile reads (the warehouse file, DuckDB settings)."""
    run_vars: dict[str, Any] = dbt_vars(home) if home else {}
    run_vars["rule_version"] = config.rule_version
    if config.as_of_date:
        run_vars["as_of_date"] = config.as_of_date
    args = ["build", "--vars", json.dumps(run_vars, sort_keys=True)]
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


KEEP_RUN_ARTIFACTS = 7


def run_artifacts_dir(h: Home, run_id: str) -> Path:
    """dbt's target folder for one run, under SVCINDEX_HOME; only the last few runs are kept."""
    runs = h.root / "dbt_runs"
    for old in sorted(runs.glob("*/"), key=lambda p: p.stat().st_mtime)[:-(KEEP_RUN_ARTIFACTS - 1)]:
        shutil.rmtree(old, ignore_errors=True)
    return runs / run_id


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=LayerTranslator())
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, home: HomeResource, config: TransformConfig):
    h = home.paths.ensure()
    yield from dbt.cli(dbt_build_args(config, h), context=context,
                       target_path=run_artifacts_dir(h, context.run.run_id)).stream()
