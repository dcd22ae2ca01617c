"""Every dbt test is a Dagster asset check (issue 14 item 5): generic tests are attached by dbt
itself; a singular test that refs several nodes names its asset in `meta.dagster.ref`, or
dagster-dbt would only log it as an observation."""
from __future__ import annotations

import json

import dagster as dg

# singular tests that ref several nodes → the asset they check
MULTI_REF_TESTS = {
    "assert_total_is_sum_of_groups": ["marts", "fct_unit_scores"],
    "assert_every_active_unit_scored": ["marts", "fct_unit_scores"],
    "assert_calendar_covers_data": ["intermediate", "int_calendar"],
}


def test_every_dbt_test_is_an_asset_check():
    from dagster_project.assets.transform import dbt_models, dbt_project

    manifest = json.loads(dbt_project.manifest_path.read_text())
    tests = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "test"}
    checks = {k.name: k.asset_key for k in dbt_models.check_keys}
    assert len(tests) > 50
    assert sorted(set(tests) - set(checks)) == []
    for name, key in MULTI_REF_TESTS.items():
        assert len(tests[name]["depends_on"]["nodes"]) > 1, name
        assert checks[name] == dg.AssetKey(key), name


def test_multi_ref_singular_tests_ran_as_checks_in_the_nightly_run(pipeline_home):
    """The session's nightly run recorded a passed check evaluation for each of them."""
    instance = dg.DagsterInstance.get()
    keys = [dg.AssetCheckKey(dg.AssetKey(key), name) for name, key in MULTI_REF_TESTS.items()]
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    assert sorted(k.name for k in latest) == sorted(MULTI_REF_TESTS)
    for key, record in latest.items():
        assert record.status.value == "SUCCEEDED", (key, record.status)
