"""The resources every asset, check and sensor is given: SVCINDEX_HOME and dbt.

SVCINDEX_HOME is read once per run, when Dagster configures the `home` resource (an EnvVar, so
`svcindex run`, the UI and the tests each get the home they set, without re-importing anything).
Paths, DuckDB connections and dbt's profile vars all come from it.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import Iterator

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from packaging.version import Version

from .dbt_project import dbt_project, vars_args
from .settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Home
from .warehouse import connection


class HomeResource(dg.ConfigurableResource):
    """Every path of a run (settings.Home) and its DuckDB connections."""

    root: str

    @property
    def paths(self) -> Home:
        return Home(Path(self.root).resolve())

    @contextmanager
    def warehouse(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with connection(self.paths.warehouse, read_only=read_only) as con:
            yield con

    def dbt_vars_args(self, extra: dict | None = None) -> list[str]:
        return vars_args(self.paths, extra)


class ProjectDbtResource(DbtCliResource):
    """dagster-dbt's resource without two steps it takes before every `dbt build` that this project
    never needs: about 6 s of each run, measured on a one-night run (cProfile of `svcindex run`).

    - `dbt --version` in a subprocess (3.5 s: a second dbt start-up) to tell dbt Core from the Fusion
      engine. The executable is the venv's own dbt (settings.DBT_EXECUTABLE), whose version is the
      installed dbt-core's.
    - A dbt adapter opened in this process (2.8 s: profile, project and dbt's macros loaded again).
      dagster-dbt needs it only for `fetch_row_counts()` and `fetch_column_metadata()`, which no
      asset here calls."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


def resources() -> dict:
    return {
        "home": HomeResource(root=dg.EnvVar("SVCINDEX_HOME")),
        "dbt": ProjectDbtResource(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR),
                              dbt_executable=str(DBT_EXECUTABLE)),
    }
