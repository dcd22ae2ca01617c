"""The report the nightly job wrote equals the marts it published, number for number."""
from __future__ import annotations

import duckdb
import openpyxl

from test_reports_workbook import assert_group_sheets_equal, assert_summary_equals, summary_rows


def test_workbook_of_the_run_equals_the_published_marts(pipeline_home):
    published = pipeline_home / "published" / "svcindex.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        month, as_of = con.execute("""select period, max(as_of_date) from unit_scores where period_type = 'month'
                                      group by period order by period desc limit 1""").fetchone()
        keys = "period_type = 'month' and period = ? and as_of_date = ? and unit_type in ('BO', 'TINH')"
        units = con.execute(f"""select unit_code, unit_name, ckmb, tdgq, clgq, tttt, mdsh, mdhl, total, band,
                                       total_change, rank_in_block, rank_in_parent
                                from unit_scores where {keys}""", [month, as_of]).fetchall()
        criteria = con.execute(f"""select unit_code, criterion_code, group_code, numerator, denominator, ratio,
                                          points, max_points
                                   from criterion_scores where {keys}""", [month, as_of]).fetchall()
    workbook = openpyxl.load_workbook(pipeline_home / "reports" / month / f"bao-cao-chi-so-{month}.xlsx")

    assert {u[0] for u in units} == {"H44", "H55"}
    assert_summary_equals(summary_rows(workbook), units, lambda _c, in_block, _p: in_block)
    assert_group_sheets_equal(published, workbook, criteria)


def test_pdf_of_the_run_names_the_units_in_vietnamese(pipeline_home):
    from test_reports_pdf import pdf_text

    text = pdf_text(next((pipeline_home / "reports").glob("*/bao-cao-chi-so-*.pdf")))
    assert "Phú Thọ" in text and "Thái Nguyên" in text
