"""The quality gate on scores, the atomic publication and the monthly report."""

import dagster as dg

from ..inputs import INPUTS_TAG
from ..publish import PUBLISHED_TABLES, publish
from ..quality.batch_sql import BatchSql, query_chunks
from ..quality.gate import build_data_docs, validate_chunks
from ..quality.results import record_quality
from ..partitions import monthly_partitions
from ..resources import HomeResource
from ..warehouse import connection

UNIT_SCORES = dg.AssetKey(["marts", "fct_unit_scores"])
GROUP_SCORES = dg.AssetKey(["marts", "fct_group_scores"])
CRITERION_SCORES = dg.AssetKey(["marts", "fct_criterion_scores"])

# What each score suite sees: the rows of the run's as-of date. The unit suite starts from the
# units active on that date, so a unit left unscored shows up as a row with no total, and it
# carries each total's move since the last publication (ops.published_snapshot, written by
# publish.publish, when one exists).
SCORE_SUITES = {
    UNIT_SCORES: ("unit_scores", """
        with run as (select max(as_of_date) as as_of from marts.fct_unit_scores),
        -- the sum of each unit's portal columns (rulebook_groups.portal_column) in group_scores
        portal as (
            select g.unit_code, g.period_type, g.period, g.as_of_date, round(sum(g.points), 2) as groups_sum
            from marts.fct_group_scores g
            join rulebook.rulebook_groups r
              on r.rule_version = g.rule_version and r.group_code = g.group_code and r.portal_column
            group by all
        )
        select u.unit_code as active_unit, s.* exclude (unit_code),
               -- an unrated unit (rulebook §5a) has no total: its groups are not summed either
               case when s.rated then gs.groups_sum end as groups_sum,
               coalesce(s.rated and s.total is null, true) as rated_without_total,
               {move} as total_move
        from marts.dim_unit u cross join run
        left join marts.fct_unit_scores s
               on s.unit_code = u.unit_code and s.as_of_date = run.as_of and s.period_type = 'month'
              and s.period = strftime(run.as_of, '%Y-%m')
        left join portal gs
               on gs.unit_code = s.unit_code and gs.period_type = s.period_type and gs.period = s.period
              and gs.as_of_date = s.as_of_date
        {prev_join}
        where u.valid_from <= run.as_of and (u.valid_to is null or u.valid_to >= run.as_of)"""),
    GROUP_SCORES: ("group_scores", """
        select * from marts.fct_group_scores
        where as_of_date = (select max(as_of_date) from marts.fct_group_scores)"""),
    CRITERION_SCORES: ("criterion_scores", """
        select * from marts.fct_criterion_scores
        where as_of_date = (select max(as_of_date) from marts.fct_criterion_scores)"""),
}
PREV_JOIN = """left join ops.published_snapshot p
               on p.unit_code = s.unit_code and p.period_type = s.period_type and p.period = s.period
              and p.rule_version = s.rule_version"""


def score_query(con, suite_sql: str) -> str:
    """The suite's rows; total_move against the last publication's snapshot, null before the first."""
    has_prev = con.execute("select count(*) from information_schema.tables "
                           "where table_schema = 'ops' and table_name = 'published_snapshot'").fetchone()[0] > 0
    return suite_sql.format(move="s.total - p.total" if has_prev else "null::double",
                            prev_join=PREV_JOIN if has_prev else "")


def build_score_check(asset_key: dg.AssetKey) -> dg.AssetChecksDefinition:
    suite, sql = SCORE_SUITES[asset_key]

    @dg.asset_check(asset=asset_key, name=f"{suite}_gate", blocking=True,
                    description=f"Great Expectations suite expectations/{suite}.json on the scores about to be published")
    def score_gate(context: dg.AssetCheckExecutionContext, home: HomeResource) -> dg.AssetCheckResult:
        h = home.paths
        with connection(h.warehouse) as con:
            # a national month's criterion rows are half a million: GE looks at the first vector and
            # SQL answers the row and key expectations over all of them (quality/batch_sql.py)
            query = score_query(con, sql)
            result = validate_chunks(suite, query_chunks(con, query, []), h.quality / "data_docs",
                                     whole_batch=BatchSql(con, query, []))
            record_quality(con, context.run.run_id, suite, [result])
        if not result.passed:
            context.log.error(result.describe())
            build_data_docs(h.quality / "data_docs")  # the run stops here, before the publication
        # warnings alone: failed with WARN (shown as a warning, does not block publication)
        return dg.AssetCheckResult(
            passed=result.check_passed, severity=result.check_severity, description=result.describe()[:1000],
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
def published_warehouse(context: dg.AssetExecutionContext, home: HomeResource) -> dg.MaterializeResult:
    h = home.paths.ensure()
    pub = publish(h.warehouse, h.published, context.run.run_id, inputs=context.run.tags.get(INPUTS_TAG))
    context.log.info(f"published {pub.path} as of {pub.as_of_date} (rule version {pub.rule_version})")
    build_data_docs(h.quality / "data_docs")  # after the night's last validation
    with connection(h.published, read_only=True) as con:
        summary = con.execute("""
            select s.unit_type, count(*) as units, round(avg(s.total), 2) as mean_total,
                   min(s.total) as lowest, max(s.total) as highest,
                   count(*) filter (where s.band = lb.band_name) as in_lowest_band
            from unit_scores s
            -- the rule version's lowest band (Yếu), as the published `bands` names it
            left join (select rule_version, arg_min(band_name, min_total) as band_name
                       from bands group by rule_version) lb using (rule_version)
            where s.period_type = 'month' and s.period = strftime(s.as_of_date, '%Y-%m')
            group by s.unit_type order by s.unit_type""").df()
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(pub.path)),
        "as_of_date": pub.as_of_date,
        "rule_version": pub.rule_version,
        "restatements": pub.restatements,
        "score_summary": dg.MetadataValue.md(summary.to_markdown(index=False)),
        **{f"rows_{t}": n for t, n in pub.row_counts.items()},
        # the month-wise tables: which months this publication wrote (the rest came from the last one)
        **{f"months_rewritten_{t}": ", ".join(m) or "none" for t, m in pub.months_rewritten.items()},
        "seconds_per_table": dg.MetadataValue.json(pub.seconds),
    })


@dg.asset(
    group_name="report",
    deps=[published_warehouse],
    description="The month's report for the Government Office (xlsx, pdf) from the published file.",
    kinds={"excel", "pdf"},
    partitions_def=monthly_partitions,
)
def monthly_report(context: dg.AssetExecutionContext, home: HomeResource) -> dg.MaterializeResult:
    from ..reports import build_monthly_report
    from ..reports.config import load_report_config

    h = home.paths.ensure()
    month = context.partition_key[:7]
    paths = build_monthly_report(h.published, month, h.reports, config=load_report_config(h.root))
    return dg.MaterializeResult(metadata={"month": month,
                                          **{k: dg.MetadataValue.path(str(p)) for k, p in paths.items()}})
