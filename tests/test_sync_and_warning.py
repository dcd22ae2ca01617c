"""Issue 15 items 1 and 3 through the real nightly job on simulated landing data: the published sync
gaps are exactly the dossiers the simulator kept from the portal for N working days or more, and
the points at stake equal a recomputation in which the at-risk dossiers miss their due dates.

One home of its own (the session's three nights are too few working days for a sync gap): Phú Thọ,
2026-10-01 → 2026-10-08 (as of Thursday 8 October, six working days after the first night)."""
from __future__ import annotations

import csv
import json
import os
import shutil
import unicodedata
from datetime import date
from pathlib import Path

import duckdb
import pytest

from conftest import dossier_lines, rewrite_dossiers, use_home

START, END = date(2026, 10, 1), date(2026, 10, 8)
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
CHECKS: dict = {}  # the gap home's run: check name -> its evaluation


def rulebook_parameter(criterion: str, name: str, rule_version: str = "2026") -> str:
    with (SEEDS / "rulebook_parameters.csv").open(encoding="utf-8") as f:
        (value,) = [r["value"] for r in csv.DictReader(f)
                    if (r["rule_version"], r["criterion_code"], r["parameter"]) == (rule_version, criterion, name)]
    return value


def published(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "published" / "svcindex.duckdb"), read_only=True)


@pytest.fixture(scope="module")
def gap_home(tmp_path_factory):
    from dagster_project.cli import run_nightly
    from dagster_project.simulate import simulate

    before = Path(os.environ["SVCINDEX_HOME"])
    root = tmp_path_factory.mktemp("gap_home")
    use_home(root)
    try:
        simulate(root / "landing", START, END, scale=0.006, seed=7, provinces=["H44"],
                 kept_back=root / "kept_back.csv")
        result = run_nightly()
        assert result.success
        CHECKS.update({e.event_specific_data.check_name: e.event_specific_data for e in result.all_events
                       if e.event_type_value == "ASSET_CHECK_EVALUATION"})
        yield root
    finally:
        use_home(before)


def kept_back(home: Path) -> list[dict]:
    with (home / "kept_back.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_sync_gaps_are_the_dossiers_the_simulator_kept_back(gap_home):
    n = int(rulebook_parameter("CKMB.4", "sync_gap_working_days"))
    rows = kept_back(gap_home)
    never = [r for r in rows if not r["synced_on"]]
    late_in_time = [r for r in rows if r["synced_on"] and date.fromisoformat(r["synced_on"]) <= END]
    late_after = [r for r in rows if r["synced_on"] and date.fromisoformat(r["synced_on"]) > END]
    # the simulator exercises all three: never synced, synced late within the nights, and after them
    assert never and late_in_time and late_after, (len(never), len(late_in_time), len(late_after))

    missing_at_end = [r for r in never + late_after if int(r["age_working_days_at_end"]) >= n]
    expected = sorted((r["dossier_code"], r["unit_code"], r["procedure_code"], r["received_date"],
                       int(r["age_working_days_at_end"]), r["source"]) for r in missing_at_end)
    with published(gap_home) as con:
        got = con.execute("""select dossier_code, unit_code, procedure_code, strftime(received_date, '%Y-%m-%d'),
                                    age_working_days, 'agency_' || source_system
                             from sync_gaps order by all""").fetchall()
        summary = dict(con.execute("select unit_code, gap_dossiers from sync_gap_summary").fetchall())
        columns = {c for (c,) in con.execute("select column_name from information_schema.columns "
                                             "where table_name = 'sync_gaps'").fetchall()}
    assert expected, "no kept-back dossier is old enough to be a gap: the test would prove nothing"
    assert [tuple(g) for g in got] == expected
    # a late dossier that did reach the portal within the nights is no gap
    assert not {r["dossier_code"] for r in late_in_time} & {g[0] for g in got}
    # the province counts every gap under it
    assert summary["H44"] == len(expected)
    assert not columns & {"applicant", "DinhDanhCHS", "ChuHoSo", "applicant_id", "applicant_name"}


def test_the_sync_gap_check_warns_without_blocking(gap_home):
    with published(gap_home) as con:
        over = con.execute("select count(*) from sync_gap_summary where above_warn_share").fetchone()[0]
        log = con.execute("select count(*) from publication_log").fetchone()[0]
    assert over > 0 and log == 1  # units above the share, and the night was published all the same
    import dagster as dg

    check = CHECKS["sync_gaps"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert check.asset_key == dg.AssetKey(["marts", "fct_sync_gap_summary"])
    assert check.description.startswith(f"{over} unit(s) above the sync-gap share")


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(unicodedata.normalize("NFC", p.extract_text()).split()) for p in PdfReader(path).pages)


def test_points_at_stake_equal_a_recomputation_with_the_at_risk_dossiers_missed(gap_home, tmp_path):
    from dagster_project.cli import run_nightly

    keys = "unit_code, period_type, period, criterion_code"
    with published(gap_home) as con:
        at_risk = {c for (c,) in con.execute("select dossier_code from at_risk_dossiers").fetchall()}
        stake = {tuple(r[:4]): r[4:] for r in con.execute(
            f"select {keys}, points, points_if_missed, points_at_stake from points_at_stake").fetchall()}
        # every at-risk dossier counts as on time today (in process, not yet due: rulebook §4)
        assert con.execute("""select bool_and(tdgq_1_num) from dossier_criteria
                              where dossier_code in (select dossier_code from at_risk_dossiers)""").fetchone()[0]
    assert at_risk and any(s > 0 for _, _, s in stake.values())

    home = tmp_path / "home"
    shutil.copytree(gap_home, home, ignore=shutil.ignore_patterns("*.tmp", ".duckdb_tmp"))
    use_home(home)
    try:
        # the at-risk dossiers' latest versions, each delivered again on the as-of night, still open
        # and already past due: the state "they missed their due date"
        latest: dict[str, dict] = {}
        for folder in sorted((home / "landing" / "dvcqg_hoso").iterdir()):
            for line in dossier_lines(folder):
                record = json.loads(line)
                if record["MaHoSo"] in at_risk and record["NgayCapNhat"] >= latest.get(record["MaHoSo"], {}).get("NgayCapNhat", ""):
                    latest[record["MaHoSo"]] = record
        assert set(latest) == at_risk
        night = sorted((home / "landing" / "dvcqg_hoso").iterdir())[-1]
        stamp = END.strftime("%Y%m%d")
        # due at receipt: with any supplement time added back, still due on or before the as-of night
        missed = [json.dumps({**r, "NgayHenTra": r["NgayTiepNhan"], "NgayCapNhat": f"{stamp}235900"}, ensure_ascii=False)
                  for r in latest.values()]
        rewrite_dossiers(night, dossier_lines(night) + missed)
        assert run_nightly().success

        with published(home) as con:
            recomputed = {tuple(r[:4]): r[4] for r in con.execute(
                f"""select {keys}, c.points from criterion_scores c
                    join (select distinct period_type, period from points_at_stake) using (period_type, period)""").fetchall()}
            assert con.execute("select count(*) from at_risk_dossiers").fetchone()[0] == 0
    finally:
        use_home(gap_home)

    assert set(stake) <= set(recomputed)
    for key, (points, if_missed, at_stake) in stake.items():
        assert recomputed[key] == pytest.approx(if_missed, abs=1e-9), key
        assert at_stake == pytest.approx(points - recomputed[key], abs=1e-9), key


def test_explain_what_if_lists_the_at_risk_dossiers_and_what_each_criterion_keeps(gap_home, capsys):
    from dagster_project.cli import main

    with published(gap_home) as con:
        codes = [c for (c,) in con.execute("""select r.dossier_code from at_risk_dossiers r
                                              where r.received_date >= date '2026-10-01'""").fetchall()]
        stake = dict(con.execute("""select criterion_code, points_at_stake from points_at_stake
                                    where unit_code = 'H44' and period = '2026-10'""").fetchall())
    assert codes
    assert main(["explain", "--unit", "H44", "--period", "2026-10", "--what-if"]) == 0
    text = capsys.readouterr().out
    assert f"{len(codes)} open dossier(s) of the period" in text
    assert all(c in text for c in codes)
    rows = {line.split()[0]: line.split() for line in text.splitlines() if line.startswith("  ") and
            line.split()[0] in stake}
    assert set(rows) == set(stake)
    for code, points in stake.items():
        assert float(rows[code][4]) == pytest.approx(points, abs=0.005), rows[code]
    # a closed period has nothing at stake, and says which periods do
    assert main(["explain", "--unit", "H44", "--period", "2026-09", "--what-if"]) == 2
    said = capsys.readouterr()
    assert "not open at the as-of night" in said.out + said.err


def test_a_units_report_has_its_improvement_page_and_the_province_sync_annex(gap_home, tmp_path, monkeypatch):
    import openpyxl

    from dagster_project.reports import build_monthly_report
    from dagster_project.reports import workbook as sheets

    with published(gap_home) as con:
        unit = con.execute("""select unit_code from at_risk_dossiers where received_date >= date '2026-10-01'
                              order by unit_code limit 1""").fetchone()[0]
        at_risk = {c for (c,) in con.execute("""select r.dossier_code from at_risk_dossiers r
                                                join unit_ancestors a on a.unit_code = r.unit_code
                                                where a.ancestor_code = ?""", [unit]).fetchall()}
        gaps = {c for (c,) in con.execute("select dossier_code from sync_gaps").fetchall()}
    paths = build_monthly_report(gap_home / "published" / "svcindex.duckdb", "2026-10", tmp_path, unit=unit)
    workbook = openpyxl.load_workbook(paths["xlsx"])
    page = {str(c.value) for row in workbook["Cải thiện"].iter_rows() for c in row if c.value is not None}
    assert at_risk <= page and "TDGQ.1" in page
    national = build_monthly_report(gap_home / "published" / "svcindex.duckdb", "2026-10", tmp_path / "all")
    listed = {str(c.value) for row in openpyxl.load_workbook(national["xlsx"])["Hồ sơ chưa đồng bộ"].iter_rows()
              for c in row if c.value is not None}
    assert gaps and gaps <= listed
    text = pdf_text(national["pdf"])
    assert "HỒ SƠ CHƯA ĐỒNG BỘ LÊN CỔNG DVCQG: UBND TỈNH PHÚ THỌ" in text

    # more gaps than a sheet holds (a national year's, in Excel): the oldest that fit, and a note saying so
    monkeypatch.setattr(sheets, "SHEET_ROWS", sheets.HEADER_ROW + len(gaps) // 2)
    sheet = openpyxl.load_workbook(build_monthly_report(gap_home / "published" / "svcindex.duckdb", "2026-10",
                                                        tmp_path / "capped")["xlsx"])[sheets.SHEET_SYNC_DOSSIERS]
    rows = [r for r in sheet.iter_rows(min_row=sheets.HEADER_ROW + 1, values_only=True) if r[3] is not None]
    with published(gap_home) as con:
        oldest = con.execute("select age_working_days from sync_gaps order by 1 desc limit ?", [len(gaps) // 2]).fetchall()
    assert sorted(r[6] for r in rows) == sorted(a for (a,) in oldest)
    assert "Danh sách đầy đủ: bảng sync_gaps" in sheet.cell(3, 1).value
    unit_text = pdf_text(paths["pdf"])
    assert "CẢI THIỆN ĐIỂM" in unit_text and all(c in unit_text for c in at_risk)
