"""Shared fixtures: one small simulated warehouse, built once per test session by the real job."""
from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

SAMPLE_PROVINCES = ["H44", "H55"]
SAMPLE_START, SAMPLE_END = date(2026, 10, 1), date(2026, 10, 3)
SAMPLE_SCALE = 0.002


def use_home(root: Path) -> None:
    """Point every component (Dagster, dbt, CLI) at this SVCINDEX_HOME, as the CLI does."""
    from dagster_project.cli import prepare_environment

    os.environ["SVCINDEX_HOME"] = str(root)
    os.environ["DAGSTER_HOME"] = str(root / "dagster")
    prepare_environment()


@pytest.fixture(scope="session", autouse=True)
def _environment(tmp_path_factory):
    use_home(tmp_path_factory.mktemp("default_home"))


@pytest.fixture(scope="session")
def pipeline_home(tmp_path_factory):
    """A home with three simulated nights for two provinces, after one nightly run over all three (a backfill as one run)."""
    from dagster_project.cli import run_nightly
    from dagster_project.settings import home
    from dagster_project.simulate import simulate

    root = tmp_path_factory.mktemp("pipeline_home")
    use_home(root)
    simulate(home().landing, SAMPLE_START, SAMPLE_END, scale=SAMPLE_SCALE, seed=7, provinces=SAMPLE_PROVINCES)
    result = run_nightly()
    assert result.success, "the nightly run on simulated data failed"
    return root


@pytest.fixture
def copied_home(pipeline_home, tmp_path):
    """A private copy of the session home, for tests that add nights or fail runs."""
    root = tmp_path / "home"
    shutil.copytree(pipeline_home, root, ignore=shutil.ignore_patterns("*.tmp", ".duckdb_tmp"))
    use_home(root)
    yield root
    use_home(pipeline_home)
