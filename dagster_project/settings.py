"""Every path and setting of the project comes from here.

One variable, SVCINDEX_HOME (default ./data), holds landing/, warehouse/, published/,
reports/ and quality/, so Dagster, dbt and the CLI always agree on where things are.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")   # the venv's dbt, beside this Python
SEEDS_DIR = PROJECT_ROOT / "seeds"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

# Pseudonymisation key for personal data. The demo falls back to a fixed, public sample key
# and says so; production must set SVCINDEX_PII_KEY.
SAMPLE_PII_KEY = "svcindex-demo-sample-key-not-secret"


@dataclass(frozen=True)
class Home:
    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def warehouse_dir(self) -> Path:
        return self.root / "warehouse"

    @property
    def warehouse(self) -> Path:
        return self.warehouse_dir / "svcindex.duckdb"

    @property
    def published_dir(self) -> Path:
        return self.root / "published"

    @property
    def published(self) -> Path:
        return self.published_dir / "svcindex.duckdb"

    @property
    def lake(self) -> Path:
        """Raw tables as Parquet, by table and extract night (dagster_project/lake.py)."""
        return self.root / "lake"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def quality(self) -> Path:
        return self.root / "quality"

    @property
    def alerts(self) -> Path:
        return self.root / "alerts"

    def ensure(self) -> "Home":
        for d in (self.landing, self.warehouse_dir, self.published_dir, self.reports, self.quality):
            d.mkdir(parents=True, exist_ok=True)
        return self


def home() -> Home:
    """The current SVCINDEX_HOME, absolute (dbt and Dagster run from different directories)."""
    return Home(Path(os.environ.get("SVCINDEX_HOME", "data")).resolve())


def pii_key() -> tuple[str, bool]:
    """(key, is_sample): the keyed-hash secret for personal data."""
    key = os.environ.get("SVCINDEX_PII_KEY")
    return (key, False) if key else (SAMPLE_PII_KEY, True)


def duckdb_settings() -> dict[str, str]:
    """Memory bound and threads of every DuckDB connection: the pipeline's own and dbt's (dbt_vars)."""
    return {
        "memory_limit": os.environ.get("SVCINDEX_DUCKDB_MEMORY", "5GB"),
        "threads": os.environ.get("SVCINDEX_DUCKDB_THREADS", str(os.cpu_count() or 2)),
    }


def duckdb_temp_directory(database: Path) -> Path:
    """Where DuckDB spills for a database file: beside it (the warehouse's is warehouse/.duckdb_tmp)."""
    return database.parent / ".duckdb_tmp"


def dbt_threads() -> str:
    """How many dbt nodes build at once on DuckDB. One by default: on two cores more threads gained
    little at national volume and cost CPU on small runs (README "dbt threads"); raise it on more cores."""
    return os.environ.get("SVCINDEX_DBT_THREADS", "1")


def dbt_vars(h: Home) -> dict[str, str]:
    """What dbt/profiles.yml reads (as `var(...)`): the warehouse file, dbt's threads and the DuckDB
    settings above.

    Passed on dbt's command line by every caller (the dbt resource, `make setup`, `svcindex docs`),
    so dbt and the Python connections cannot disagree and nothing writes os.environ for dbt."""
    return {"svcindex_warehouse": str(h.warehouse),
            "duckdb_temp_directory": str(duckdb_temp_directory(h.warehouse)),
            "dbt_threads": dbt_threads(),
            **{f"duckdb_{k}": v for k, v in duckdb_settings().items()}}
