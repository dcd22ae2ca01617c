"""dbt: every model and seed an asset, every dbt test an asset check (dagster-dbt)."""

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any, Mapping

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from ..dbt_project import dbt_project
from ..resources import HomeResource
from ..settings import DBT_PROJECT_DIR, SEEDS_DIR, Home, dbt_vars


DEFAULT_RULE_VERSION = "2026"  # = vars.rule_version in dbt_project.yml


class TransformConfig(dg.Config):
    rule_version: str = DEFAULT_RULE_VERSION
    as_of_date: str | None = None  # default: the latest loaded extract night
    full_refresh: bool = False


def dbt_build_args(config: TransformConfig, home: Home | None = None) -> list[str]:
    """The dbt CLI arguments for a run; a pure function so it can be tested alone.

    With `home`, the vars also carry what the profile reads (the warehouse file, DuckDB settings).
    The rule version and as-of date go in only when they differ from dbt_project.yml's defaults:
    dbt re-parses the whole project (≈ 20 s) whenever the vars differ from the ones its
    partial_parse.msgpack was built with, and `make setup` parses with the home's vars alone.
    The dbt unit tests run in the test suite (tests/test_dbt_unit_tests.py), not every night:
    their fixtures do not change between nights."""
    run_vars: dict[str, Any] = dbt_vars(home) if home else {}
    if config.rule_version != DEFAULT_RULE_VERSION:
        run_vars["rule_version"] = config.rule_version
    if config.as_of_date:
        run_vars["as_of_date"] = config.as_of_date
    args = ["build", "--exclude-resource-type", "unit_test"]
    if run_vars:
        args += ["--vars", json.dumps(run_vars, sort_keys=True)]
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
PARTIAL_PARSE = "partial_parse.msgpack"


def run_artifacts_dir(h: Home, run_id: str) -> Path:
    """dbt's target folder for one run, under SVCINDEX_HOME; only the last few runs are kept.

    It starts with the home's own partial_parse.msgpack (the last run's): dbt's parse state
    includes the profile, whose warehouse path is under SVCINDEX_HOME, so the one `make setup`
    writes into dbt/target is valid only for the default home. dagster-dbt copies that one only
    when the run's folder has none."""
    runs = h.root / "dbt_runs"
    for old in sorted(runs.glob("*/"), key=lambda p: p.stat().st_mtime)[:-(KEEP_RUN_ARTIFACTS - 1)]:
        shutil.rmtree(old, ignore_errors=True)
    target = runs / run_id
    cached = runs / PARTIAL_PARSE
    if cached.exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(cached, target / PARTIAL_PARSE)
    return target


def keep_parse_state(target: Path) -> None:
    """The run's parse state becomes the home's, for the next run (written whole, then renamed)."""
    state = target / PARTIAL_PARSE
    if state.exists():
        tmp = target.parent / (PARTIAL_PARSE + ".tmp")
        shutil.copy(state, tmp)
        tmp.replace(target.parent / PARTIAL_PARSE)


def models_fingerprint(args: list[str]) -> str:
    """The dbt project, the rulebook seeds and the run's vars: what the incremental models' kept
    rows were computed with. When it changes (a model, a holiday, a rulebook parameter, another
    rule version) the kept rows are stale, so the build is a full refresh."""
    digest = hashlib.sha256(json.dumps([a for a in args if a != "--full-refresh"]).encode())
    for root in (DBT_PROJECT_DIR / "models", DBT_PROJECT_DIR / "macros", SEEDS_DIR):
        for f in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(str(f.relative_to(root.parent)).encode() + b"\0" + f.read_bytes())
    digest.update((DBT_PROJECT_DIR / "dbt_project.yml").read_bytes())
    return digest.hexdigest()


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=LayerTranslator())
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, home: HomeResource, config: TransformConfig):
    h = home.paths.ensure()
    target = run_artifacts_dir(h, context.run.run_id)
    args = dbt_build_args(config, h)
    built_with = target.parent / "models.sha256"
    # the run's options without the home's profile vars: where the warehouse lives and how much
    # memory DuckDB may use change no kept row (a copied or moved home stays incremental)
    models = models_fingerprint(dbt_build_args(config))
    if "--full-refresh" not in args and (not built_with.exists() or built_with.read_text() != models):
        context.log.info("the dbt models, seeds or vars changed since the last build: full refresh")
        args.append("--full-refresh")
    built_with.unlink(missing_ok=True)  # a build that fails half-way leaves nothing to trust
    yield from dbt.cli(args, context=context, target_path=target).stream()
    built_with.write_text(models)
    keep_parse_state(target)
