"""The monthly workbook, read back with openpyxl and compared with the published tables."""
from __future__ import annotations

import duckdb
import openpyxl
import pytest

from dagster_project.reports import build_monthly_report
from dagster_project.reports.data import ReportInputError
from dagster_project.reports.workbook import HEADER_ROW, SHEET_QUALITY, SHEET_SUMMARY, SHEET_WEAK
from test_reports_sample_db import build_sample_published_db

MONTH, LATEST_AS_OF = "2026-10", "2026-10-31"
H44_TREE = {"H44", "H44.S01", "H44.S02", "H44.X01", "H44.X02", "H44.S02.D1"}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_sample_published_db(tmp_path_factory.mktemp("published") / "svcindex.duckdb")


@pytest.fixture(scope="module")
def national(db, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return openpyxl.load_workbook(build_monthly_report(db, MONTH, out)["xlsx"])


def sql(db, query, params=()):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query, params).fetchall()


def table(ws, width):
    """Data rows under the header, as tuples; section rows (no unit code) are skipped."""
    rows = ws.iter_rows(min_row=HEADER_ROW + 1, max_col=width, values_only=True)
    return [r for r in rows if r[1] is not None]


def month_units(db, where, rule_version="2026", as_of=LATEST_AS_OF):
    return sql(db, f"""
        SELECT unit_code, unit_name, ckmb, tdgq, clgq, tttt, mdsh, mdhl, total, band, total_change,
               rank_in_block, rank_in_parent
        FROM unit_scores WHERE period_type = 'month' AND period = ? AND as_of_date = ? AND rule_version = ?
          AND {where}""", [MONTH, as_of, rule_version])


def summary_rows(wb):
    # Hạng, Mã, Tên, six groups, Tổng, Xếp loại, Thay đổi
    return {r[1]: r for r in table(wb[SHEET_SUMMARY], 12)}


def assert_summary_equals(rows, expected, rank_of):
    assert set(rows) == {e[0] for e in expected}
    for code, name, *groups, total, band, change, rank_in_block, rank_in_parent in expected:
        got = rows[code]
        assert got[0] == rank_of(code, rank_in_block, rank_in_parent)
        assert got[2] == name
        assert list(got[3:9]) == pytest.approx(groups, abs=1e-9)
        assert got[9] == pytest.approx(total, abs=1e-9)
        assert got[10] == band
        assert (got[11] is None and change is None) or got[11] == pytest.approx(change, abs=1e-9)


def test_summary_is_the_two_blocks_at_the_latest_as_of_date(db, national):
    expected = month_units(db, "unit_type IN ('BO', 'TINH')")
    assert len(expected) == 8
    assert_summary_equals(summary_rows(national), expected, lambda _c, in_block, _p: in_block)


def test_summary_sections_are_blocks_in_rank_order(national):
    ws = national[SHEET_SUMMARY]
    sections, current = {}, None
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, max_col=2, values_only=True):
        if row[1] is None:
            current = row[0]
            sections[current] = []
        else:
            sections[current].append(row[0])
    assert list(sections) == ["Bộ, ngành", "Tỉnh, thành phố"]
    assert all(ranks == sorted(ranks) and ranks[0] == 1 for ranks in sections.values())
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws.cell(HEADER_ROW, 10).value == "Tổng điểm"
    assert "(18 điểm)" in ws.cell(HEADER_ROW, 4).value


def test_band_cells_are_coloured_by_band(national):
    ws = national[SHEET_SUMMARY]
    fills = {}
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, min_col=11, max_col=11):
        cell = row[0]
        if cell.value:
            fills.setdefault(cell.value, set()).add(cell.fill.fgColor.rgb)
    assert len(fills) >= 2
    assert all(len(colours) == 1 for colours in fills.values())
    assert len({next(iter(c)) for c in fills.values()}) == len(fills)


def test_table_cells_have_borders_and_their_columns_number_format(national):
    ws = national[SHEET_SUMMARY]
    rows = [r for r in ws.iter_rows(min_row=HEADER_ROW + 1, max_col=12) if r[1].value]
    assert rows
    for row in rows:
        assert all(getattr(c.border, side).style == "thin" for c in row for side in ("left", "right", "top", "bottom"))
        assert [c.number_format for c in row[3:10]] == ["0.00"] * 7            # six groups and the total
        assert row[11].number_format == "+0.00;-0.00;0.00"                     # the change
        assert row[10].font.b and row[10].fill.fill_type == "solid"             # the band cell
        assert not row[2].font.b and row[2].number_format == "General"          # a unit's name


def group_codes(db):
    """The portal columns as the published `criteria` names them, in portal order."""
    return [g for (g,) in sql(db, "SELECT group_code FROM criteria WHERE rule_version = '2026' "
                                  "GROUP BY group_code ORDER BY min(group_sort_order)")]


def assert_group_sheets_equal(db, wb, expected):
    """expected: (unit_code, criterion_code, group_code, numerator, denominator, ratio, points, max_points)."""
    for group in group_codes(db):
        got = {(r[1], r[3]): r[5:10] for r in table(wb[group], 11)}
        want = {(u, c): (n, d, ratio, p, m) for u, c, g, n, d, ratio, p, m in expected if g == group}
        assert want, group
        assert got.keys() == want.keys(), group
        for key, (n, d, ratio, p, m) in want.items():
            assert got[key][:2] == (n, d)
            assert got[key][2] == (None if ratio is None else pytest.approx(ratio, abs=1e-12))
            assert got[key][3:] == pytest.approx((p, m), abs=1e-12)


def test_group_sheets_equal_criterion_scores(db, national):
    assert_group_sheets_equal(db, national, sql(db, """
        SELECT unit_code, criterion_code, group_code, numerator, denominator, ratio, points, max_points
        FROM criterion_scores WHERE period_type = 'month' AND period = ? AND as_of_date = ? AND rule_version = '2026'
          AND unit_type IN ('BO', 'TINH')""", [MONTH, LATEST_AS_OF]))


def test_weak_sheet_lists_exactly_the_units_rated_yeu(db, national):
    expected = {c for (c,) in sql(db, """
        SELECT unit_code FROM unit_scores WHERE period_type = 'month' AND period = ? AND as_of_date = ?
          AND rule_version = '2026' AND band = 'Yếu'""", [MONTH, LATEST_AS_OF])}
    assert expected
    got = [r for r in national[SHEET_WEAK].iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r[0]]
    assert {r[0] for r in got} == expected
    assert all(r[5] == "Yếu" and r[4] < 50 for r in got)


def test_quality_annex_shows_gate_results_and_policies(national):
    text = [v for row in national[SHEET_QUALITY].iter_rows(values_only=True) for v in row if v is not None]
    assert "Số dòng giảm so với đêm trước" in text and "Cảnh báo" in text and "Không đạt" in text
    assert "H48: -12.5%" in text
    assert "run-2026-10-31" in text and "run-2026-10-15" not in text
    assert "Mẫu số bằng 0: tính đủ điểm" in text
    assert "0 đạt, 1 cảnh báo, 0 lỗi chặn" in text  # publication_log.gate_summary, not its JSON


def all_values(wb):
    return [v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def test_no_english_codes_or_booleans_are_left_in_the_workbook(national):
    values = all_values(national)
    assert not [v for v in values if isinstance(v, bool)]
    text = [v for v in values if isinstance(v, str)]
    assert not [v for v in text if v.startswith("expect_") or v in ("empty_full", "empty_zero", "blocking",
                                                                         "warning", "TRUE", "FALSE")]
    headers = [c.value for ws in national.worksheets for row in ws.iter_rows() for c in row
               if isinstance(c.value, str) and c.font.bold]
    assert not [h for h in headers if "_" in h], "a header left as a code"
    assert "Điểm đơn vị: 15" in text  # publication_log.row_counts with the table named in Vietnamese


def test_every_sheet_prints_landscape_fitted_to_width_with_repeated_headers(national):
    for ws in national.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title  # as many pages tall as needed
        assert ws.print_title_rows in (f"$1:${HEADER_ROW}", "$1:$2"), (ws.title, ws.print_title_rows)
        assert "&P" in ws.oddFooter.center.text


def test_document_properties_say_what_the_workbook_is(national):
    props = national.properties
    assert props.title == "Báo cáo Chỉ số phục vụ người dân, doanh nghiệp tháng 10/2026"
    assert props.subject.startswith("Chỉ số phục vụ người dân, doanh nghiệp")
    assert props.creator == "Cục Kiểm soát thủ tục hành chính"
    assert "Phạm vi: 5 tỉnh, thành phố" in props.description and "toàn quốc" not in props.description.replace(
        "không phải số liệu toàn quốc", "")


def test_departments_and_communes_have_their_own_sheets_grouped_by_province(db, national):
    from dagster_project.reports.workbook import SHEET_COMMUNES, SHEET_DEPARTMENTS

    expected = {c for (c,) in sql(db, """SELECT unit_code FROM unit_scores WHERE period_type = 'month' AND period = ?
        AND as_of_date = ? AND rule_version = '2026' AND unit_type = 'XA'""", [MONTH, LATEST_AS_OF])}
    rows = list(national[SHEET_COMMUNES].iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert {r[1] for r in rows} == expected
    assert {r[0] for r in rows if r[1].startswith("H44")} == {"Tỉnh Phú Thọ"}
    departments = {r[1] for r in national[SHEET_DEPARTMENTS].iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    assert departments == {"H44.S01", "H44.S02", "H44.S02.D1", "H01.S01"}


def test_explicit_rule_version_reads_its_own_rows(db, tmp_path):
    wb = openpyxl.load_workbook(build_monthly_report(db, MONTH, tmp_path, rule_version="2025")["xlsx"])
    expected = month_units(db, "unit_type IN ('BO', 'TINH')", rule_version="2025")
    assert_summary_equals(summary_rows(wb), expected, lambda _c, in_block, _p: in_block)


def test_scoped_export_holds_only_the_unit_and_its_descendants(db, tmp_path):
    paths = build_monthly_report(db, MONTH, tmp_path, unit="H44")
    assert paths["xlsx"].name == f"bao-cao-chi-so-{MONTH}-H44.xlsx"
    wb = openpyxl.load_workbook(paths["xlsx"])
    expected = month_units(db, "unit_code IN ({})".format(", ".join(f"'{c}'" for c in sorted(H44_TREE))))
    assert_summary_equals(summary_rows(wb), expected,
                          lambda code, in_block, in_parent: in_block if code == "H44" else in_parent)
    for group in group_codes(db):
        assert {r[1] for r in table(wb[group], 11)} == H44_TREE
    weak = {r[0] for r in wb[SHEET_WEAK].iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r[0]}
    assert weak and weak <= H44_TREE


def test_same_input_gives_the_same_bytes(db, tmp_path):
    first = build_monthly_report(db, MONTH, tmp_path / "a")
    second = build_monthly_report(db, MONTH, tmp_path / "b")
    assert first["xlsx"].read_bytes() == second["xlsx"].read_bytes()


@pytest.mark.parametrize("kwargs, message", [
    ({"month": "2026-12"}, "no month rows for 2026-12"),
    ({"month": "2026-13"}, "YYYY-MM"),
    ({"month": MONTH, "unit": "H99"}, "'H99'"),
    ({"month": MONTH, "rule_version": "2019"}, "rule version 2019"),
])
def test_bad_requests_say_what_is_missing(db, tmp_path, kwargs, message):
    with pytest.raises(ReportInputError, match=message):
        build_monthly_report(db, out_dir=tmp_path, **kwargs)


def test_file_without_gate_results_or_log_still_reports_and_says_so(tmp_path):
    db = build_sample_published_db(tmp_path / "svcindex.duckdb")
    with duckdb.connect(str(db)) as con:
        con.execute("DROP TABLE quality_results; DROP TABLE publication_log")
    wb = openpyxl.load_workbook(build_monthly_report(db, MONTH, tmp_path / "out")["xlsx"])
    text = [v for row in wb[SHEET_QUALITY].iter_rows(values_only=True) for v in row if v is not None]
    assert any("không có bảng kết quả kiểm tra" in str(v) for v in text)
    # without a log, the highest rule version present (2026) is taken
    assert_summary_equals(summary_rows(wb), month_units(db, "unit_type IN ('BO', 'TINH')"),
                          lambda _c, in_block, _p: in_block)


def test_unrated_units_are_listed_apart_and_never_ranked(db, tmp_path):
    """Rulebook §5a: a unit with no activity is listed on its own sheet, not in the ranking."""
    import shutil

    from dagster_project.reports.workbook import SHEET_UNRATED

    copy = tmp_path / "svcindex.duckdb"
    shutil.copy(db, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("""UPDATE unit_scores SET rated = false, total = NULL, band = NULL, rank_in_block = NULL,
                       rank_in_parent = NULL, dossiers_received = 0, coverage_complete = false
                       WHERE unit_code = 'H44.X02' AND period = ?""", [MONTH])
    wb = openpyxl.load_workbook(build_monthly_report(copy, MONTH, tmp_path / "out", unit="H44")["xlsx"])
    assert "H44.X02" not in summary_rows(wb)
    listed = [r for r in wb[SHEET_UNRATED].iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r[0]]
    assert [r[0] for r in listed if r[0].startswith("H44")] == ["H44.X02"]
    assert any(str(r[0]).startswith("Dữ liệu chỉ phủ một phần tháng") for r in listed)


def test_a_gap_list_longer_than_a_sheet_keeps_the_same_number_of_oldest_dossiers_per_province():
    import pandas as pd

    from dagster_project.reports.workbook import _fit_sheet

    # ordered as the report reads them: by province, the oldest first
    gaps = pd.DataFrame([(p, f"{p}-{i}", 100 - i) for p, n in (("H01", 2), ("H02", 5), ("H03", 10)) for i in range(n)],
                        columns=["province_code", "dossier_code", "age_working_days"])
    assert _fit_sheet(gaps, 17) is gaps                   # everything fits: nothing dropped
    kept = _fit_sheet(gaps, 12)                           # 2 + 5 + 5: H03 gives up its 5 youngest
    assert kept.groupby("province_code").size().to_dict() == {"H01": 2, "H02": 5, "H03": 5}
    assert list(kept[kept.province_code == "H03"].age_working_days) == [100, 99, 98, 97, 96]
    assert _fit_sheet(gaps, 7).groupby("province_code").size().to_dict() == {"H01": 2, "H02": 2, "H03": 2}
