"""The quality gate on scores, the atomic publication and the monthly report."""

import dagster as dg

from ..publish import PUBLISHED_TABLES, publish, record_quality
from ..quality.gate import validate
from ..ops import monthly_partitions
from ..settings import home
from ..warehouse import connection

UNIT_SCORES = dg.AssetKey(["marts", "fct_unit_scores"])
GROUP_SCORES = dg.AssetKey(["marts", "fct_group_scores"])

SCORE_SUITES = {
    UNIT_SCORES: ("unit_scores", """
        select *, round(ckmb + tdgq + clgq + tttt + mdsh + mdhl, 2) as groups_sum
        from marts.fct_unit_scores where as_of_date = (select max(as_of_date) from marts.fct_unit_scores)"""),
    GROUP_SCORES: ("group_scores", """
        select * from marts.fct_group_scores
        where as_of_date = (select max(as_of_date) from marts.fct_group_scores)"""),
}


def build_score_check(asset_key: dg.AssetKey) -> dg.AssetChecksDefinition:
    suite, sql = SCORE_SUITES[asset_key]

    @dg.asset_check(asset=asset_key, name=f"{suite}_gate", blocking=True,
                    description=f"Great Expectations suite expectations/{suite}.json on the scores about to be published")
    def score_gate(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        h = home()
        with connection(h.warehouse) as con:
            result = validate(suite, con.execute(sql).df(), h.quality / "data_docs")
            record_quality(con, context.run.run_id, suite, [result])
        if not result.passed:
            context.log.error(result.describe())
        return dg.AssetCheckResult(
            passed=result.passed, severity=dg.AssetCheckSeverity.ERROR, description=result.describe()[:1000],
            metadata={"gate": dg.MetadataValue.md("```\n" + result.describe() + "\n```"),
                      "data_docs": dg.MetadataValue.url(result.docs_url)})

    return score_gate


score_checks = [build_score_check(k) for k in SCORE_SUITES]


@dg.asset(
    group_name="publish",
    deps=[dg.AssetKey(rel.split(".")) for rel in PUBLISHED_TABLES.values()],
    description="The analysts' read-only DuckDB file, $SVCINDEX_HOME/published/svcindex.duckdb, "
                "replaced by an atomic swap only after every blocking check upstream passed.",
    kinds={"duckdb"},
)
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    h = home().ensure()
    pub = publish(h.warehouse, h.published, context.run_id)
    context.log.info(f"published {pub.path} as of {pub.as_of_date} (rule version {pub.rule_version})")
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(pub.path)),
        "as_of_date": pub.as_of_date,
        "rule_version": pub.rule_version,
        "restatements": pub.restatements,
        **{f"rows_{t}": n for t, n in pub.row_counts.items()},
    })


@dg.asset(
    group_name="report",
    deps=[published_warehouse],
    description="The month's report for the Government Office (xlsx, pdf) from the published file.",
    kinds={"excel", "pdf"},
    partitions_def=monthly_partitions,
)
def monthly_report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    from ..reports import build_monthly_report

    h = home().ensure()
    month = context.partition_key[:7]
    paths = build_monthly_report(h.published, month, h.reports)
    return dg.MaterializeResult(metadata={"month": month,
                                          **{k: dg.MetadataValue.path(str(p)) for k, p in paths.items()}})
