"""`dbt_build_args`: the dbt command line a nightly run's config turns into (a pure function)."""
from __future__ import annotations

import json

import pytest
import yaml

from dagster_project.assets.transform import DEFAULT_RULE_VERSION, TransformConfig, dbt_build_args
from dagster_project.settings import DBT_PROJECT_DIR, Home, dbt_vars


def vars_of(args: list[str]) -> dict:
    assert args.count("--vars") == 1, args
    return json.loads(args[args.index("--vars") + 1])


def test_default_config_passes_no_vars_so_the_partial_parse_stays_valid():
    """The defaults are dbt_project.yml's: no --vars, so dbt's partial parse of `make setup` holds
    (any change of vars re-parses the whole project); dbt's unit tests run in the suite, not nightly."""
    args = dbt_build_args(TransformConfig())
    assert args == ["build", "--exclude-resource-type", "unit_test"]


def test_a_home_adds_exactly_the_profile_vars(tmp_path):
    h = Home(tmp_path)
    assert vars_of(dbt_build_args(TransformConfig(), h)) == dbt_vars(h)
    assert str(h.warehouse) == vars_of(dbt_build_args(TransformConfig(), h))["svcindex_warehouse"]


@pytest.mark.parametrize("rule_version, as_of_date, full_refresh", [
    ("VPCP", "2026-10-02", False),
    ("2026", None, True),
    ("2026", "2029-01-31", True),
])
def test_config_is_passed_to_dbt_as_vars_and_flags(rule_version, as_of_date, full_refresh):
    args = dbt_build_args(TransformConfig(rule_version=rule_version, as_of_date=as_of_date, full_refresh=full_refresh))
    expected = {**({"rule_version": rule_version} if rule_version != DEFAULT_RULE_VERSION else {}),
                **({"as_of_date": as_of_date} if as_of_date else {})}
    if expected:
        assert vars_of(args) == expected
        assert args[-2 - full_refresh:len(args) - full_refresh] == ["--vars", json.dumps(expected, sort_keys=True)]
    else:
        assert "--vars" not in args
    assert args.count("--full-refresh") == int(full_refresh)


def test_every_var_passed_is_one_the_dbt_project_declares():
    """A renamed dbt var would otherwise be passed and silently ignored (dbt takes unknown vars)."""
    declared = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    passed = vars_of(dbt_build_args(TransformConfig(rule_version="VPCP", as_of_date="2026-10-02")))
    assert set(passed) == {"rule_version", "as_of_date"} and set(passed) <= set(declared)
    assert DEFAULT_RULE_VERSION == declared["rule_version"]


def test_the_dbt_resource_knows_its_dbt_without_asking_it():
    """ProjectDbtResource skips dagster-dbt's `dbt --version` subprocess before every build: that
    holds only while the executable it runs is the installed dbt-core, which this checks."""
    import re
    import subprocess

    from dagster_project.resources import resources

    dbt = resources()["dbt"]
    printed = subprocess.run([dbt.dbt_executable, "--version"], capture_output=True, text=True, check=True).stdout
    assert str(dbt._cli_version) == re.search(r"installed: (\d+\.\d+\.\d+)", printed).group(1)
    assert dbt._cli_version.major < 2  # dbt Core, not Fusion: dagster-dbt reads Core's events


def test_svcindex_dbt_threads_sets_how_many_nodes_dbt_builds_at_once(tmp_path, monkeypatch):
    """The setting reaches dbt through the profile's var, as dbt itself reports in its log."""
    from conftest import run_dbt

    monkeypatch.setenv("SVCINDEX_DBT_THREADS", "3")
    (tmp_path / "warehouse").mkdir()
    proc, _ = run_dbt(tmp_path, "seed", "--select", "ref_source_codes")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "Concurrency: 3 threads (target='dev')" in proc.stdout, proc.stdout[-3000:]
