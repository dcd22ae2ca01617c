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

from .labels import BLOCK_TITLES, UNIT_TYPE_TITLES, band_colour

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
    weak: pd.DataFrame              # every unit in scope (any level) in the lowest band (Yếu)
    trend: pd.DataFrame             # period, series, total
    policies: pd.DataFrame          # criterion × policy_applied: how many units
    quality: pd.DataFrame | None    # gate results, when the file carries them
    publications: pd.DataFrame      # publication_log rows for this as-of date and rule version
    # rulebook §5a: units with no activity in the month, listed apart (never ranked)
    unrated: pd.DataFrame = field(default_factory=pd.DataFrame)
    # What the official frame and the method notes state (see _load_context).
    method: pd.DataFrame = field(default_factory=pd.DataFrame)       # criteria of the rule version
    bands: pd.DataFrame = field(default_factory=pd.DataFrame)        # band_name, min_total, evidence
    provinces: tuple[str, ...] = ()  # names of the provinces with a score this month
    ministries: int = 0              # how many ministries have a score this month
    national: bool = False           # every province of the current map is in the file
    coverage: dict | None = None     # from unit_scores.coverage_* when the file has them
    waivers: pd.DataFrame | None = None  # the `waivers` table's rows behind this report, if it exists
    sub_units: pd.DataFrame = field(default_factory=pd.DataFrame)    # per top unit × level: counts, mean, bands
    below: pd.DataFrame = field(default_factory=pd.DataFrame)        # every unit below a top unit, with it
    published_on: date | None = None  # Vietnam date of the publication behind the figures
    # The rulebook's portal columns (code, Vietnamese name) in portal order, from `criteria`, and
    # its band names best first, from `bands`: the report names no group and no band itself.
    groups: tuple[tuple[str, str], ...] = ()
    band_names: tuple[str, ...] = ()

    @property
    def group_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.groups)

    @property
    def group_names(self) -> dict[str, str]:
        return dict(self.groups)

    @property
    def weak_band(self) -> str | None:
        return self.band_names[-1] if self.band_names else None

    def band_colour(self, band: str | None) -> tuple[str, bool]:
        return band_colour(band, self.band_names)
    # issue 15, as of the report's as-of night (empty when the file's tables are of another night):
    sync_gap_units: pd.DataFrame = field(default_factory=pd.DataFrame)     # units in scope with gaps, by province
    sync_gap_dossiers: pd.DataFrame = field(default_factory=pd.DataFrame)  # the gap dossiers in scope
    at_risk: pd.DataFrame = field(default_factory=pd.DataFrame)            # one unit's report: its at-risk dossiers
    stake: pd.DataFrame = field(default_factory=pd.DataFrame)              # one unit's report: the month's points at stake

    def scope_sentence(self) -> str:
        """What the figures cover, as the report's preamble says it (national only when every
        province of the current map is in the file)."""
        if self.unit:
            return f"phạm vi: {self.unit_name} ({self.unit}) và các đơn vị trực thuộc."
        if self.national:
            return f"phạm vi: toàn quốc ({len(self.provinces)} tỉnh, thành phố và {self.ministries} bộ, ngành)."
        names = ", ".join(self.provinces) or "không có tỉnh, thành phố nào"
        return (f"phạm vi: {len(self.provinces)} tỉnh, thành phố ({names}) và {self.ministries} bộ, ngành có số liệu "
                "trong tệp công bố; đây không phải số liệu toàn quốc.")

    def scope_line(self) -> str:
        """'Phạm vi: …' for a sheet's or a page's heading."""
        return "Phạm vi: " + self.scope_sentence().removeprefix("phạm vi: ").rstrip(".")


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
        groups, band_names = _rulebook_labels(con)
        context = _load_context(con, unit, band_names)
        return ReportData(
            **context, groups=groups, band_names=band_names,
            month=month, as_of_date=as_of, rule_version=rule_version, unit=unit, unit_name=unit_name,
            group_max=dict(con.execute(GROUP_MAX_SQL).fetchall()),
            ranking=con.execute(RANKING_SQL).df(),
            criteria=con.execute(CRITERIA_SQL).df(),
            group_pct=con.execute(GROUP_PCT_SQL).df(),
            weak=con.execute(WEAK_SQL, [band_names[-1] if band_names else None]).df(),
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
            **_early_warning(con, unit),
        )


def _rulebook_labels(con) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """The portal columns (code, Vietnamese name) in portal order from the published `criteria`,
    and the band names best first from `bands`. A file published before `criteria` carried the
    group names shows the codes; one without `bands` orders the bands its scores use by score."""
    columns = _columns(con, "criteria")
    named = {"group_name_vi", "group_sort_order"} <= columns
    order = [f"min(c.{c})" for c in ("group_sort_order", "sort_order") if c in columns]
    groups = con.execute(f"""
        SELECT c.group_code, {'any_value(c.group_name_vi)' if named else 'c.group_code'}
        FROM criteria c, params p WHERE c.rule_version = p.rule_version
        GROUP BY c.group_code ORDER BY {', '.join(order + ['c.group_code'])}
    """).fetchall()
    if _has_table(con, "bands"):
        bands = con.execute("SELECT b.band_name FROM bands b, params p WHERE b.rule_version = p.rule_version "
                            "ORDER BY b.min_total DESC").fetchall()
    else:
        bands = con.execute("SELECT s.band FROM unit_scores s, params p WHERE s.rule_version = p.rule_version "
                            "AND s.band IS NOT NULL GROUP BY s.band ORDER BY min(s.total) DESC").fetchall()
    return tuple((code, name or code) for code, name in groups), tuple(b for (b,) in bands)


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
         AND coalesce(c.effective_from, DATE '1900-01-01') <= least(p.as_of, last_day(strptime(p.month, '%Y-%m')))
         AND coalesce(c.effective_to, DATE '9999-12-31') >= least(p.as_of, last_day(strptime(p.month, '%Y-%m')))
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
           s.* EXCLUDE (unit_code, unit_name, unit_type, block, parent_code)
    {_SCORES_IN.format(table="unit_scores", scope="tree")}
    LEFT JOIN (SELECT DISTINCT unit_code, unit_name FROM unit_scores) par ON par.unit_code = s.parent_code
    WHERE s.band = ?
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


def _early_warning(con, unit: str | None) -> dict:
    """Sync gaps of the units in scope (the annex per province), and for one unit's report its
    at-risk dossiers and points at stake — each only when the file's tables are of the report's
    as-of night (they hold the latest night only)."""
    frames: dict = {}
    if _has_table(con, "sync_gap_summary"):
        frames["sync_gap_units"] = con.execute("""
            SELECT coalesce(s.province_code, s.unit_code) AS province_code, pu.unit_name AS province_name,
                   s.unit_code, s.unit_name, s.unit_type, s.agency_received, s.gap_dossiers, s.gap_share,
                   s.oldest_received_date, s.oldest_age_working_days, s.above_warn_share
            FROM sync_gap_summary s JOIN params p ON s.as_of_date = p.as_of
            JOIN tree t ON t.unit_code = s.unit_code
            LEFT JOIN (SELECT unit_code, max(unit_name) AS unit_name FROM units GROUP BY unit_code) pu
                 ON pu.unit_code = coalesce(s.province_code, s.unit_code)
            WHERE s.gap_dossiers > 0
            ORDER BY province_code, s.unit_type <> 'TINH', s.gap_share DESC, s.gap_dossiers DESC, s.unit_code""").df()
        frames["sync_gap_dossiers"] = con.execute("""
            SELECT coalesce(g.province_code, g.unit_code) AS province_code, g.unit_code, g.unit_name,
                   g.dossier_code, g.procedure_code, g.received_date, g.age_working_days, g.source_system
            FROM sync_gaps g JOIN params p ON g.as_of_date = p.as_of
            JOIN tree t ON t.unit_code = g.unit_code
            ORDER BY province_code, g.age_working_days DESC, g.unit_code, g.dossier_code""").df()
    if unit is not None and _has_table(con, "at_risk_dossiers"):
        frames["at_risk"] = con.execute("""
            SELECT r.unit_code, r.unit_name, r.dossier_code, r.procedure_code, r.procedure_name,
                   r.received_date, r.due_date, r.working_days_left
            FROM at_risk_dossiers r JOIN params p ON r.as_of_date = p.as_of
            JOIN tree t ON t.unit_code = r.unit_code
            ORDER BY r.due_date, r.unit_code, r.dossier_code""").df()
    if unit is not None and _has_table(con, "points_at_stake"):
        frames["stake"] = con.execute("""
            SELECT k.criterion_code, c.name_vi, k.numerator, k.denominator, k.ratio, k.points, k.max_points,
                   k.events_at_risk, k.points_at_stake, k.target_ratio, k.events_to_target, k.events_to_next_band,
                   k.next_band_min_total
            FROM points_at_stake k JOIN params p ON k.as_of_date = p.as_of AND k.rule_version = p.rule_version
                 AND k.period_type = 'month' AND k.period = p.month
            LEFT JOIN criteria c ON c.rule_version = k.rule_version AND c.criterion_code = k.criterion_code
            WHERE k.unit_code = ?
            ORDER BY k.points_at_stake DESC, k.criterion_code""", [unit]).df()
    return frames


def _has_table(con, name: str) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary",
                       [name]).fetchone()[0] > 0


# Provinces on the current administrative map (34 since 1 July 2025), from vietnam-provinces.
def _national_province_count() -> int:
    from vietnam_provinces import Province

    return sum(1 for _ in Province.iter_all())


def _columns(con, table: str) -> set[str]:
    return {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                                      "AND NOT internal", [table]).fetchall()}


def _load_context(con, unit: str | None, band_names: tuple[str, ...]) -> dict:
    """The facts the report states around its tables: the rulebook's criteria and bands, scope,
    coverage, waivers, the sub-units under each ranked unit, and the publication date.
    Columns and tables other branches add (coverage_*, rated, waivers, bands) are optional."""
    keys = ("s.period_type = 'month' AND s.period = p.month AND s.as_of_date = p.as_of "
            "AND s.rule_version = p.rule_version")
    # the criteria rows in force on the month's evaluation date (the rows it was scored with)
    method = con.execute("SELECT c.* FROM criteria c, params p WHERE c.rule_version = p.rule_version "
                         "AND coalesce(c.effective_from, DATE '1900-01-01') <= least(p.as_of, "
                         "last_day(strptime(p.month, '%Y-%m'))) AND coalesce(c.effective_to, DATE '9999-12-31') "
                         ">= least(p.as_of, last_day(strptime(p.month, '%Y-%m'))) "
                         f"ORDER BY {'c.sort_order, ' if 'sort_order' in _columns(con, 'criteria') else ''}"
                         "c.group_code, c.criterion_code").df()
    bands = (con.execute("SELECT b.band_name, b.min_total, b.evidence FROM bands b, params p "
                         "WHERE b.rule_version = p.rule_version ORDER BY b.min_total DESC").df()
             if _has_table(con, "bands") else pd.DataFrame())
    provinces = [n for (n,) in con.execute(
        f"SELECT DISTINCT s.unit_name FROM unit_scores s JOIN params p ON {keys} JOIN tree USING (unit_code) "
        "WHERE s.unit_type = 'TINH' ORDER BY s.unit_name").fetchall()]
    ministries = con.execute(f"SELECT count(DISTINCT s.unit_code) FROM unit_scores s JOIN params p ON {keys} "
                             "JOIN tree USING (unit_code) WHERE s.unit_type = 'BO'").fetchone()[0]
    score_columns = _columns(con, "unit_scores")
    coverage = None
    if {"coverage_first_night", "coverage_last_night", "coverage_complete"} <= score_columns:
        row = con.execute(f"""
            SELECT min(s.coverage_first_night), max(s.coverage_last_night),
                   count(*) FILTER (WHERE NOT coalesce(s.coverage_complete, false)), count(*)
            FROM unit_scores s JOIN params p ON {keys} JOIN tree USING (unit_code)""").fetchone()
        coverage = dict(zip(("first_night", "last_night", "incomplete_units", "units"), row))
    if "rated" in score_columns:
        coverage = (coverage or {}) | {"unrated_units": con.execute(
            f"SELECT count(*) FROM unit_scores s JOIN params p ON {keys} JOIN tree USING (unit_code) "
            "WHERE NOT coalesce(s.rated, true)").fetchone()[0]}
    waivers = None
    if _has_table(con, "waivers"):
        run_filter = ("OR w.run_id IN (SELECT l.run_id FROM publication_log l WHERE l.as_of_date = p.as_of "
                      "AND l.rule_version = p.rule_version)" if _has_table(con, "publication_log") else "")
        waivers = con.execute(f"""
            SELECT w.* FROM waivers w, params p
            WHERE strftime(w.night::DATE, '%Y-%m') = p.month {run_filter}
            ORDER BY w.night, w.source, w::VARCHAR""").df()
    published_on = None
    if _has_table(con, "publication_log"):
        # published_at is UTC; the Government Office dates its documents in Vietnam time.
        published_on = con.execute("SELECT (max(l.published_at) + INTERVAL 7 HOUR)::DATE FROM publication_log l, "
                                   "params p WHERE l.as_of_date = p.as_of AND l.rule_version = p.rule_version"
                                   ).fetchone()[0]
    return dict(method=method, bands=bands, provinces=tuple(provinces), ministries=ministries,
                national=unit is None and len(provinces) >= _national_province_count(), coverage=coverage,
                waivers=waivers, published_on=published_on, **_below(con, unit, band_names))


def _below(con, unit: str | None, band_names: tuple[str, ...]) -> dict:
    if unit is not None:  # a scoped report ranks its whole tree already
        return {}
    con.execute(BELOW_SQL)
    band_counts = "".join(f", count(*) FILTER (WHERE band = {_literal(b)}) AS {_identifier(b)}" for b in band_names)
    return {"below": con.execute("SELECT * FROM below ORDER BY block, top_rank, top_code, unit_type, "
                                 "rank_in_parent NULLS LAST, unit_code").df(),
            "sub_units": con.execute(SUB_UNITS_SQL.format(band_counts=band_counts)).df()}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'

# Nationally: every unit below a ministry or province, with that top unit (the annexes for
# departments and communes). Ancestry follows units.parent_code as of the as-of date.
BELOW_SQL = """
    CREATE OR REPLACE TEMP TABLE below AS
    WITH RECURSIVE current_units AS (
        SELECT DISTINCT u.unit_code, u.parent_code FROM units u, params p
        WHERE coalesce(u.valid_from, DATE '1900-01-01') <= p.as_of AND coalesce(u.valid_to, DATE '9999-12-31') >= p.as_of
    ), top(unit_code, top_code) AS (
        SELECT unit_code, unit_code FROM ranked
        UNION
        SELECT c.unit_code, top.top_code FROM current_units c JOIN top ON c.parent_code = top.unit_code
    )
    SELECT t.top_code, r.unit_name AS top_name, r.rank_in_block AS top_rank, s.*
    FROM unit_scores s JOIN params p ON s.period_type = 'month' AND s.period = p.month AND s.as_of_date = p.as_of
         AND s.rule_version = p.rule_version
    JOIN top t ON t.unit_code = s.unit_code AND t.top_code <> s.unit_code
    JOIN unit_scores r ON r.unit_code = t.top_code AND r.period_type = 'month' AND r.period = p.month
         AND r.as_of_date = p.as_of AND r.rule_version = p.rule_version
"""

# Per top unit and level: how many units, their mean, best and worst, and how many in each band
# (one column per band of the rule version, named as the band).
SUB_UNITS_SQL = """
    SELECT top_code, top_name, block, top_rank, unit_type, count(*) AS units, avg(total) AS mean_total,
           min(total) AS lowest, max(total) AS highest,
           arg_max(unit_name, total) AS best_name, arg_min(unit_name, total) AS worst_name{band_counts}
    FROM below WHERE total IS NOT NULL
    GROUP BY ALL ORDER BY block, top_rank, top_code, unit_type
"""
