"""The resources every asset, check and sensor is given: SVCINDEX_HOME and dbt.

SVCINDEX_HOME is read once per run, when Dagster configures the `home` resource (an EnvVar, so
`svcindex run`, the UI and the tests each get the home they set, without re-importing anything).
Paths, DuckDB connections and dbt's profile vars all come from it.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

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


def resources() -> dict:
    return {
        "home": HomeResource(root=dg.EnvVar("SVCINDEX_HOME")),
        "dbt": DbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR),
                              dbt_executable=str(DBT_EXECUTABLE)),
    }
