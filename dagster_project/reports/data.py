"""Reads one month of the published analyst file into the frames the report renders.

All selection happens in DuckDB: which rule version and as-of date, which units are in scope
(the whole country, or one unit and everything under it), and the trend across months.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from .labels import BLOCK_TITLES, UNIT_TYPE_TITLES, WEAK_BAND

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
TOP_LEVEL = "(unit_type IN ('BO', 'TINH') OR parent_code IS NULL)"


@dataclass(frozen=True)
class ReportData:
    month: str
    as_of_date: date
    rule_version: str
    unit: str | None
    unit_name: str | None
    group_max: dict[str, float]     # group_code → max points, as published for the month
    ranking: pd.DataFrame           # one row per ranked unit: section, rank, unit_scores columns
    criteria: pd.DataFrame          # one row per ranked unit × criterion
    group_pct: pd.DataFrame         # ranked unit × group: points as % of that unit's max
    weak: pd.DataFrame              # every unit in scope (any level) rated Yếu
    trend: pd.DataFrame             # period, series, total
    policies: pd.DataFrame          # criterion × policy_applied: how many units
    quality: pd.DataFrame | None    # gate results, when the file carries them
    publications: pd.DataFrame      # publication_log rows for this as-of date and rule version
    # rulebook §5a: units with no activity in the month, listed apart (never ranked), and how far
    # the extract nights cover the month (a partly covered month is said to be one)
    unrated: pd.DataFrame = field(default_factory=pd.DataFrame)
    coverage: tuple = (None, None, True)   # (first night, last night, covered whole up to the as-of date)
    waivers: pd.DataFrame | None = None  # operator waivers: nights published without a rejected file


class ReportInputError(ValueError):
    """The published file cannot produce the requested report; the message says why."""


def load_report_data(published_db: Path, month: str, *, unit: str | None = None,
                     rule_version: str | None = None) -> ReportData:
    if not MONTH_RE.match(month):
        raise ReportInputError(f"month must be YYYY-MM, got {month!r}")
    published_db = Path(published_db)
    if not published_db.exists():
        raise ReportInputError(f"published file not found: {published_db}")
    with duckdb.connect(str(published_db), read_only=True) as con:
        rule_version, as_of = _resolve_snapshot(con, published_db, month, rule_version)
        con.execute("CREATE TEMP TABLE params AS SELECT ? AS month, ?::DATE AS as_of, ? AS rule_version",
                    [month, as_of, rule_version])
        unit_name = _build_scope(con, published_db, unit)
        return ReportData(
            month=month, as_of_date=as_of, rule_version=rule_version, unit=unit, unit_name=unit_name,
            group_max=dict(con.execute(GROUP_MAX_SQL).fetchall()),
            ranking=con.execute(RANKING_SQL).df(),
            criteria=con.execute(CRITERIA_SQL).df(),
            group_pct=con.execute(GROUP_PCT_SQL).df(),
            weak=con.execute(WEAK_SQL).df(),
            trend=con.execute(TREND_SQL).df(),
            policies=con.execute(POLICIES_SQL).df(),
            # The whole row last in each sort key: the annex must not depend on storage order.
            quality=con.execute("SELECT * FROM quality_results q ORDER BY severity, success, suite, expectation, "
                                "q::VARCHAR").df() if _has_table(con, "quality_results") else None,
            publications=con.execute(
                "SELECT l.* FROM publication_log l, params p WHERE l.as_of_date = p.as_of "
                "AND l.rule_version = p.rule_version ORDER BY l.published_at, l::VARCHAR").df()
            if _has_table(con, "publication_log") else pd.DataFrame(),
            unrated=con.execute(UNRATED_SQL).df(),
            coverage=con.execute(COVERAGE_SQL).fetchone(),
            waivers=con.execute("SELECT source, night, reason, waived_by, waived_at, run_id FROM waivers "
                                "ORDER BY waived_at, source, night").df() if _has_table(con, "waivers") else None,
        )


def _resolve_snapshot(con, db: Path, month: str, rule_version: str | None) -> tuple[str, date]:
    """The requested (or latest published) rule version, and its latest as-of date for the month."""
    last_published = ("SELECT rule_version, max(published_at) AS published_at FROM publication_log "
                      "GROUP BY rule_version" if _has_table(con, "publication_log")
                      else "SELECT NULL::VARCHAR AS rule_version, NULL::TIMESTAMP AS published_at")
    row = con.execute(f"""
        WITH month_rows AS (
            SELECT rule_version, max(as_of_date) AS as_of FROM unit_scores
            WHERE period_type = 'month' AND period = $month GROUP BY rule_version
        ), last_published AS (
            {last_published}
        )
        SELECT m.rule_version, m.as_of FROM month_rows m LEFT JOIN last_published l USING (rule_version)
        WHERE $rule_version IS NULL OR m.rule_version = $rule_version
        ORDER BY l.published_at DESC NULLS LAST, m.rule_version DESC LIMIT 1
    """, {"month": month, "rule_version": rule_version}).fetchone()
    if row is None:
        which = f" under rule version {rule_version}" if rule_version else ""
        raise ReportInputError(f"{db}: unit_scores has no month rows for {month}{which}")
    return row[0], row[1]


def _build_scope(con, db: Path, unit: str | None) -> str | None:
    """Temp tables `tree` (units the report may mention) and `ranked` (units it ranks).

    Nationally the ranking is the two blocks (ministries, provinces) and the tree is every unit;
    for one unit both are that unit and everything under it, following units.parent_code.
    """
    keys = "JOIN params p ON s.period_type = 'month' AND s.period = p.month AND s.as_of_date = p.as_of " \
           "AND s.rule_version = p.rule_version"
    if unit is None:
        con.execute(f"CREATE TEMP TABLE tree AS SELECT s.unit_code, NULL::INTEGER AS depth FROM unit_scores s {keys}")
        con.execute(f"CREATE TEMP TABLE ranked AS SELECT s.unit_code, NULL::INTEGER AS depth "
                    f"FROM unit_scores s {keys} WHERE {TOP_LEVEL}")
        return None
    found = con.execute(f"SELECT s.unit_name FROM unit_scores s {keys} WHERE s.unit_code = ?", [unit]).fetchone()
    if found is None:
        raise ReportInputError(f"{db}: unit {unit!r} has no score for this month, as-of date and rule version")
    # UNION (not UNION ALL) stops on a cycle in parent_code instead of looping forever.
    con.execute("""
        CREATE TEMP TABLE tree AS
        WITH RECURSIVE current_units AS (
            SELECT DISTINCT u.unit_code, u.parent_code FROM units u, params p
            WHERE coalesce(u.valid_from, DATE '1900-01-01') <= p.as_of
              AND coalesce(u.valid_to, DATE '9999-12-31') >= p.as_of
        ), t(unit_code, depth) AS (
            SELECT ?::VARCHAR, 0
            UNION
            SELECT c.unit_code, t.depth + 1 FROM current_units c JOIN t ON c.parent_code = t.unit_code
        )
        SELECT unit_code, min(depth) AS depth FROM t GROUP BY unit_code
    """, [unit])
    con.execute("CREATE TEMP TABLE ranked AS SELECT * FROM tree")
    return found[0]


_SCORES_IN = """
    FROM {table} s JOIN params p ON s.period_type = 'month' AND s.period = p.month
         AND s.as_of_date = p.as_of AND s.rule_version = p.rule_version
    JOIN {scope} USING (unit_code)
"""

GROUP_MAX_SQL = "SELECT group_code, max(max_points) " + _SCORES_IN.format(table="group_scores", scope="ranked") + \
    " GROUP BY group_code"

# Sections: nationally the two blocks; for one unit, the unit itself, then its sub-units by
# type. Rank: in the block for the blocks and the unit itself, among siblings below it.
_block_case = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in BLOCK_TITLES.items())
_type_case = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in UNIT_TYPE_TITLES.items())
RANKED_UNITS_SQL = f"""
    SELECT depth, CASE WHEN depth IS NULL THEN CASE s.block {_block_case} ELSE s.block END
                WHEN depth = 0 THEN 'Đơn vị'
                ELSE CASE s.unit_type {_type_case} ELSE s.unit_type END END AS section,
           CASE WHEN depth IS NULL THEN (CASE s.block WHEN 'BO' THEN 0 ELSE 1 END)
                WHEN depth = 0 THEN 0
                ELSE 1 + coalesce(list_position({list(UNIT_TYPE_TITLES)}, s.unit_type), 99) END AS section_order,
           CASE WHEN coalesce(depth, 0) = 0 THEN s.rank_in_block ELSE s.rank_in_parent END AS rank,
           s.*
    {_SCORES_IN.format(table="unit_scores", scope="ranked")}
    WHERE s.rated
"""
RANKING_SQL = RANKED_UNITS_SQL + " ORDER BY section_order, depth NULLS FIRST, rank, total DESC, unit_code"

CRITERIA_SQL = f"""
    WITH r AS ({RANKED_UNITS_SQL})
    SELECT r.section_order, r.rank, r.block, s.unit_code, s.unit_name, s.criterion_code, s.group_code,
           c.name_vi, s.numerator, s.denominator, s.ratio, s.points, s.max_points, s.policy_applied
    {_SCORES_IN.format(table="criterion_scores", scope="ranked")}
    JOIN r USING (unit_code)
    LEFT JOIN criteria c ON c.rule_version = s.rule_version AND c.criterion_code = s.criterion_code
    ORDER BY r.section_order, r.depth NULLS FIRST, r.rank, r.total DESC, s.unit_code,
             s.group_code, try_cast(split_part(s.criterion_code, '.', 2) AS INTEGER) NULLS LAST, s.criterion_code
"""

GROUP_PCT_SQL = f"""
    SELECT s.unit_code, s.group_code, s.points, s.max_points,
           CASE WHEN s.max_points > 0 THEN 100.0 * s.points / s.max_points END AS pct
    {_SCORES_IN.format(table="group_scores", scope="ranked")}
"""

WEAK_SQL = f"""
    SELECT s.unit_code, s.unit_name, s.unit_type, s.block, s.parent_code, par.unit_name AS parent_name,
           s.rank_in_block, s.rank_in_parent, s.ckmb, s.tdgq, s.clgq, s.tttt, s.mdsh, s.mdhl,
           s.total, s.band, s.total_change
    {_SCORES_IN.format(table="unit_scores", scope="tree")}
    LEFT JOIN (SELECT DISTINCT unit_code, unit_name FROM unit_scores) par ON par.unit_code = s.parent_code
    WHERE s.band = '{WEAK_BAND}'
    ORDER BY s.block, s.total, s.unit_code
"""

UNRATED_SQL = f"""
    SELECT s.unit_code, s.unit_name, s.unit_type, s.block, s.parent_code, par.unit_name AS parent_name,
           s.dossiers_received, s.feedback_received
    {_SCORES_IN.format(table="unit_scores", scope="tree")}
    LEFT JOIN (SELECT DISTINCT unit_code, unit_name FROM unit_scores) par ON par.unit_code = s.parent_code
    WHERE NOT s.rated
    ORDER BY s.block, s.parent_code, s.unit_type, s.unit_code
"""

COVERAGE_SQL = f"""
    SELECT min(s.coverage_first_night), max(s.coverage_last_night), bool_and(s.coverage_complete)
    {_SCORES_IN.format(table="unit_scores", scope="tree")}
"""

# The national trend: the average total of provinces (and of ministries) per month, each month
# at its latest as-of date under the report's rule version; for one unit, that unit's total too.
TREND_SQL = f"""
    WITH latest AS (
        SELECT s.* FROM unit_scores s, params p
        WHERE s.period_type = 'month' AND s.rule_version = p.rule_version AND s.period <= p.month
        QUALIFY s.as_of_date = max(s.as_of_date) OVER (PARTITION BY s.period)
    )
    SELECT period, CASE block {_block_case} END AS series, avg(total) AS total
    FROM latest WHERE {TOP_LEVEL} GROUP BY ALL
    UNION ALL
    SELECT period, unit_name, total FROM latest
    WHERE unit_code = (SELECT unit_code FROM ranked WHERE depth = 0)
    ORDER BY series, period
"""

POLICIES_SQL = f"""
    SELECT s.criterion_code, s.policy_applied, count(*) AS units
    {_SCORES_IN.format(table="criterion_scores", scope="tree")}
    WHERE s.policy_applied IS NOT NULL AND s.policy_applied <> ''
    GROUP BY ALL ORDER BY s.criterion_code, s.policy_applied
"""


def _has_table(con, name: str) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary",
                       [name]).fetchone()[0] > 0
