"""The dbt project, described once: the DbtProject the dbt assets load and every dbt command line.

dbt/profiles.yml reads the warehouse file and the DuckDB settings as dbt vars (settings.dbt_vars),
so every caller passes `vars_args(home)`; `make setup` parses the project through `main` below.
"""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

from dagster_dbt import DbtProject
from dagster_dbt.dbt_project import using_dagster_dev

from .settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Home, dbt_vars, home


def vars_args(h: Home, extra: Mapping[str, Any] | None = None) -> list[str]:
    """`--vars` for one dbt command: the profile's vars of this home, plus the command's own."""
    return ["--vars", json.dumps({**dbt_vars(h), **(extra or {})}, sort_keys=True)]


# `dagster dev` (svcindex ui) re-parses the project when it loads; the profile needs its vars then.
# Elsewhere the manifest is `make setup`'s and SVCINDEX_HOME is not read at import.
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR,
                         prepare_project_cli_args=["parse", "--quiet", *vars_args(home())] if using_dagster_dev() else None)
dbt_project.prepare_if_dev()


def parse(h: Home) -> int:
    """`dbt parse` into dbt/target: the manifest the dbt assets are built from (`make setup`)."""
    return subprocess.call([str(DBT_EXECUTABLE), "parse", "--profiles-dir", ".", "--quiet", *vars_args(h)],
                           cwd=DBT_PROJECT_DIR)


if __name__ == "__main__":  # python -m dagster_project.dbt_project parse|vars
    command = sys.argv[1] if len(sys.argv) > 1 else "parse"
    if command == "vars":
        print(vars_args(home())[1])
    else:
        sys.exit(parse(home()))
