"""Rulebook §5a through the real path (landing files → `svcindex run` → the published file):
departments and communes inherit CKMB.1–3, count only their own procedures, are unrated when
idle; periods carry their coverage; --as-of on a fresh home; the calendar past 2028; explain."""
from __future__ import annotations

import gzip
import json
import re
from datetime import date, timedelta
from pathlib import Path

import duckdb
import holidays
import pytest

from conftest import fresh_home, svcindex_run
from dagster_project.explain import explain


MONTH = "2026-10"


def published(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "published" / "svcindex.duckdb"), read_only=True)


def landing_rows(home: Path, source: str) -> list[dict]:
    """Rows of the latest night of a snapshot source, as delivered."""
    night = sorted((home / "landing" / source).iterdir())[-1]
    with gzip.open(night / "part-00000.jsonl.gz", "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_departments_and_communes_show_their_provinces_ckmb_1_to_3(pipeline_home):
    with published(pipeline_home) as con:
        rows = con.execute("""
            select c.unit_code, c.unit_type, c.criterion_code, c.numerator, c.denominator, c.points,
                   c.inherited_from, p.numerator, p.denominator, p.points
            from criterion_scores c
            join criterion_scores p on p.unit_code = 'H44' and p.period = c.period and p.criterion_code = c.criterion_code
            where c.period = ? and c.criterion_code in ('CKMB.1', 'CKMB.2', 'CKMB.3')
              and c.unit_code like 'H44.%'""", [MONTH]).fetchall()
        own_ckmb4 = con.execute("""select count(distinct inherited_from is null) from criterion_scores
            where period = ? and criterion_code = 'CKMB.4' and unit_code like 'H44.%'""", [MONTH]).fetchone()[0]
    assert {r[1] for r in rows} == {"SO", "XA"} and len(rows) == 3 * len({r[0] for r in rows}) > 100
    assert {r[2] for r in rows if r[4] > 0} >= {"CKMB.3"}        # the province has public procedures
    for unit, _, code, num, den, points, inherited_from, p_num, p_den, p_points in rows:
        assert inherited_from == "H44", (unit, code)
        assert (num, den, points) == (p_num, p_den, p_points), (unit, code)
    assert own_ckmb4 == 1                                         # CKMB.4 is the unit's own


def test_departments_never_see_each_others_procedures(pipeline_home):
    """TTTT.1's denominator of a department is the fee-bearing public procedures assigned to it in
    csdl_tthc_donvi — counted here from the landing files, not from the warehouse."""
    catalogue = {r["MaTTHC"]: r for r in landing_rows(pipeline_home, "csdl_tthc")}
    fee_bearing = {c for c, r in catalogue.items() if r["CoPhiLePhi"] == 1 and r["TrangThai"] == "CONG_KHAI"}
    assigned: dict[str, set[str]] = {}
    for r in landing_rows(pipeline_home, "csdl_tthc_donvi"):
        assigned.setdefault(r["MaCoQuan"], set()).add(r["MaTTHC"])
    with published(pipeline_home) as con:
        dens = dict(con.execute("""select unit_code, denominator from criterion_scores
            where period = ? and criterion_code = 'TTTT.1' and unit_type = 'SO' and unit_code like 'H44.%'""",
                                [MONTH]).fetchall())
    own = {u: assigned.get(u, set()) & fee_bearing for u in dens}
    assert len({frozenset(s) for s in own.values() if s}) >= 5    # departments differ in their fee procedures
    for unit, den in dens.items():
        assert den == len(own[unit]), unit
    a, b = sorted((u for u in own if own[u]), key=lambda u: len(own[u]))[-2:]
    assert not own[a] & own[b] and dens[a] != dens[a] + dens[b]
    # the procedures explain lists for TTTT.1 are the department's own, and as many as den − num
    with published(pipeline_home) as con:
        num, den = con.execute("""select numerator, denominator from criterion_scores
            where unit_code = ? and period = ? and criterion_code = 'TTTT.1'""", [b, MONTH]).fetchone()
    text = explain(pipeline_home / "published" / "svcindex.duckdb", b, MONTH, "TTTT.1", limit=10_000)
    listed = re.findall(r"^  ([12]\.\d{6}) ", text, flags=re.M)
    assert int(re.search(r"(\d+) procedure\(s\) in the denominator", text).group(1)) == den - num == len(listed) > 0
    assert set(listed) <= own[b] and not set(listed) & own[a]


def test_an_idle_commune_is_published_unrated(pipeline_home):
    with published(pipeline_home) as con:
        idle = con.execute("""
            select s.unit_code, s.rated, s.total, s.band, s.rank_in_block, s.rank_in_parent, s.tdgq
            from unit_scores s
            where s.period = ? and s.unit_type = 'XA'
              and not exists (select 1 from dossier_criteria d where d.unit_code = s.unit_code
                              and strftime(d.received_date, '%Y-%m') = s.period)
              and not exists (select 1 from feedback_criteria f where f.unit_code = s.unit_code
                              and strftime(f.received_date, '%Y-%m') = s.period)""", [MONTH]).fetchall()
        active = con.execute("""select count(*), count(total), count(band), count(rank_in_block), min(rank_in_block)
            from unit_scores s where period = ? and unit_type = 'XA' and rated""", [MONTH]).fetchone()
    assert idle, "the sample should have communes that received nothing"
    for unit, rated, total, band, rank_block, rank_parent, tdgq in idle:
        assert (rated, total, band, rank_block, rank_parent) == (False, None, None, None, None), unit
        assert tdgq is not None                                   # its columns and counts are kept
    n, totals, bands, ranks, best = active
    assert n > 0 and totals == bands == ranks == n and best == 1


@pytest.fixture(scope="module")
def late_start_home(tmp_path_factory):
    """A fresh home whose extracts start on 20 September, run with --as-of before the last night."""
    from dagster_project.settings import home
    from dagster_project.simulate import simulate

    with fresh_home(tmp_path_factory, "late_start_home") as root:
        simulate(home().landing, date(2026, 9, 20), date(2026, 10, 3), scale=0.002, seed=7, provinces=["H44"])
    svcindex_run(root, "--as-of", "2026-10-02")
    return root


def test_a_month_covered_from_its_20th_is_flagged_and_never_compared(late_start_home):
    with published(late_start_home) as con:
        coverage = dict((r[0], r[1:]) for r in con.execute("""
            select period, min(coverage_first_night), max(coverage_last_night), bool_and(coverage_complete),
                   count(total_change), max(as_of_date)
            from unit_scores where period_type = 'month' group by period""").fetchall())
    assert coverage["2026-09"][:3] == (date(2026, 9, 20), date(2026, 9, 30), False)
    assert coverage["2026-10"][:3] == (date(2026, 10, 1), date(2026, 10, 2), True)   # up to the as-of date
    assert coverage["2026-10"][3] == 0                                              # no change vs September
    assert coverage["2026-10"][4] == date(2026, 10, 2)                              # --as-of, not the last night


def add_working_days(start: date, n: int) -> date:
    vn = holidays.Vietnam(years=range(start.year, start.year + 2))
    day = start
    while n:
        day += timedelta(days=1)
        n -= day.weekday() < 5 and day not in vn
    return day


def test_a_2029_dossier_without_a_portal_due_date_gets_one(tmp_path):
    """Past the old holiday seed's 2028: a dossier received in January 2029 without NgayHenTra gets its
    due date from the procedure's 20 working days, across Tết 2029. Built on raw tables by dbt: the
    nightly job cannot be run for a 2029 night today (Dagster's daily partitions end at today)."""
    from datetime import datetime

    from test_dbt_support import create_raw, dbt_build, insert, query

    con = create_raw(tmp_path / "warehouse" / "svcindex.duckdb")
    insert(con, "dvcqg_coquan", [{"MaCoQuan": "H44", "TenCoQuan": "Tỉnh Phú Thọ", "LoaiCoQuan": "TINH"},
                                 {"MaCoQuan": "H44.07", "TenCoQuan": "Sở Tư pháp", "LoaiCoQuan": "SO",
                                  "MaCoQuanCha": "H44"}])
    insert(con, "csdl_tthc", [{"MaTTHC": "1.000001", "TenTTHC": "Thủ tục", "CapThucHien": ["SO"],
                               "CoQuanCongBo": "G01", "ThoiHanGiaiQuyet": 20.0, "DonViThoiHan": "Ngày làm việc",
                               "TrangThai": "Công khai"}])
    insert(con, "dvcqg_hoso", [{"MaHoSo": "H44.07-290122-00001", "MaTTHC": "1.000001", "MaCoQuan": "H44.07",
                                "TrangThaiHoSo": 4, "NgayTiepNhan": datetime(2029, 1, 22, 9),
                                "NgayCapNhat": datetime(2029, 1, 22, 10)}])
    con.close()
    dbt_build(tmp_path, "--vars", "{as_of_date: '2029-01-31'}", "--select", "+fct_dossier_criteria")
    ((due, reason),) = query(tmp_path / "warehouse" / "svcindex.duckdb", """select due_date, timeliness_reason
        from marts.fct_dossier_criteria where dossier_code = 'H44.07-290122-00001'""")
    assert due == add_working_days(date(2029, 1, 22), 20) and reason == "open"


@pytest.mark.parametrize("criterion", ["TDGQ.1", "MDHL.3"])
@pytest.mark.parametrize("period", ["2026-09", "2026-Q3", "2026"])  # periods with dossiers against H44
def test_explain_lists_denominator_minus_numerator_by_period(pipeline_home, criterion, period):
    path = pipeline_home / "published" / "svcindex.duckdb"
    with published(pipeline_home) as con:
        num, den = con.execute("""select numerator, denominator from criterion_scores
            where unit_code = 'H44' and period = ? and criterion_code = ?""", [period, criterion]).fetchone()
    assert den > num, "nothing against H44 in this period: the list checks below would check nothing"
    text = explain(path, "H44", period, criterion, limit=100_000)
    count = int(re.search(r"(\d+) dossier\(s\) in the denominator but not the numerator", text).group(1))
    rows = [line for line in text.splitlines() if line.startswith("  H44")]
    assert count == den - num == len(rows)
    assert all(re.search(r"overdue at|rated unsatisfied|a PAKN about it", line) for line in rows)
    if criterion == "TDGQ.1":
        assert not any("on_time" in line.split()[-1] for line in rows)


@pytest.mark.parametrize("criterion", ["CKMB.1", "CKMB.2", "CKMB.3", "MDHL.1", "MDHL.2", "MDSH.6", "CLGQ.3"])
def test_explain_lists_every_criterion_for_a_department(pipeline_home, criterion):
    """A department's inherited CKMB rows list the province's procedures; PAKN, procedure and
    dossier criteria list their own rows; every list has denominator − numerator rows."""
    path = pipeline_home / "published" / "svcindex.duckdb"
    with published(pipeline_home) as con:
        unit, period, num, den, inherited = con.execute("""
            select unit_code, period, coalesce(numerator, 0), denominator, inherited_from
            from criterion_scores where period_type = 'month' and criterion_code = ? and unit_type = 'SO'
            order by denominator - coalesce(numerator, 0) desc, period desc, unit_code limit 1""",
                                                       [criterion]).fetchone()
    text = explain(path, unit, period, criterion, limit=100_000)
    assert (f"inherited from {inherited}" in text) == (inherited is not None) == criterion.startswith("CKMB")
    count = int(re.search(r"(\d+) (?:dossier|procedure|PAKN)\(s\) in the denominator but not the numerator",
                          text).group(1))
    assert count == den - num
