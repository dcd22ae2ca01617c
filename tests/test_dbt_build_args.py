"""`dbt_build_args`: the dbt command line a nightly run's config turns into (a pure function)."""
from __future__ import annotations

import json

import pytest
import yaml

from dagster_project.assets.transform import TransformConfig, dbt_build_args
from dagster_project.settings import DBT_PROJECT_DIR


def vars_of(args: list[str]) -> dict:
    assert args.count("--vars") == 1, args
    return json.loads(args[args.index("--vars") + 1])


def test_default_config_builds_everything_with_the_2026_rulebook_and_no_as_of_date():
    args = dbt_build_args(TransformConfig())
    assert args[0] == "build" and "--full-refresh" not in args
    assert vars_of(args) == {"rule_version": "2026"}   # as_of_date left to dbt: the latest loaded night


@pytest.mark.parametrize("rule_version, as_of_date, full_refresh", [
    ("VPCP", "2026-10-02", False),
    ("2026", None, True),
    ("2026", "2029-01-31", True),
])
def test_config_is_passed_to_dbt_as_vars_and_flags(rule_version, as_of_date, full_refresh):
    args = dbt_build_args(TransformConfig(rule_version=rule_version, as_of_date=as_of_date, full_refresh=full_refresh))
    expected = {"rule_version": rule_version, **({"as_of_date": as_of_date} if as_of_date else {})}
    assert vars_of(args) == expected
    assert args.count("--full-refresh") == int(full_refresh)
    assert args[:3] == ["build", "--vars", json.dumps(expected, sort_keys=True)]


def test_every_var_passed_is_one_the_dbt_project_declares():
    """A renamed dbt var would otherwise be passed and silently ignored (dbt takes unknown vars)."""
    declared = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    passed = vars_of(dbt_build_args(TransformConfig(rule_version="VPCP", as_of_date="2026-10-02")))
    assert set(passed) == {"rule_version", "as_of_date"} and set(passed) <= set(declared)
