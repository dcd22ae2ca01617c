"""A national report: 34 provinces, the ministries, and annexes for departments and communes.

The real path (simulate the whole country at a tiny scale, run the nightly job) takes minutes on
this machine (measured: 8 min wall for 3 nights at scale 0.002 on a loaded 2-core box), so this
test builds the published tables with SQL over the simulator's real national directory (every
province, department, commune and ministry unit of `vietnam-provinces` and the ministries list),
with the same scoring shape as test_reports_sample_db; the layout code under test is the same.
"""
from __future__ import annotations

import unicodedata

import duckdb
import openpyxl
import pytest
from pypdf import PdfReader

from dagster_project.reports import build_monthly_report
from dagster_project.reports.labels import vn_number
from dagster_project.reports.workbook import HEADER_ROW, SHEET_COMMUNES, SHEET_DEPARTMENTS, SHEET_SUMMARY
from dagster_project.simulate.units import directory
from test_reports_sample_db import (CRITERIA_SQL, CRITERION_SCORES_SQL, GROUP_SCORES_SQL, PUBLICATION_SQL,
                                    SNAPSHOTS_SQL, UNIT_SCORES_SQL)

MONTH = "2026-10"


def build_national_published_db(path):
    units = directory(7)
    units = units[units.valid_to.isna()]  # the post-reform map (the directory also holds the old one)
    with duckdb.connect(str(path)) as con:
        con.register("national_units", units)
        con.execute("""
            CREATE TABLE units AS
            SELECT code AS unit_code, name AS unit_name, kind AS unit_type, parent AS parent_code,
                   CASE WHEN kind IN ('BO', 'DON_VI') THEN NULL ELSE scope END AS province_code,
                   DATE '2025-07-01' AS valid_from, NULL::DATE AS valid_to
            FROM national_units""")
        con.unregister("national_units")
        for sql in (CRITERIA_SQL, SNAPSHOTS_SQL, CRITERION_SCORES_SQL, GROUP_SCORES_SQL, UNIT_SCORES_SQL,
                    PUBLICATION_SQL):
            con.execute(sql)
        con.execute("""
            CREATE TABLE bands AS SELECT rv AS rule_version, b.* FROM (VALUES ('Xuất sắc', 90, 'I'), ('Tốt', 80, 'I'),
                ('Khá', 70, 'I'), ('Trung bình', 50, 'I'), ('Yếu', 0, 'I')) b(band_name, min_total, evidence),
                (VALUES ('2025'), ('2026')) v(rv)""")
    return path


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    db = build_national_published_db(tmp_path_factory.mktemp("national") / "svcindex.duckdb")
    return db, build_monthly_report(db, MONTH, tmp_path_factory.mktemp("reports"))


def counts(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("""SELECT unit_type, count(*) FROM unit_scores WHERE period = ? AND rule_version = '2026'
                                   AND as_of_date = '2026-10-31' GROUP BY ALL""", [MONTH]).fetchall())


def page_texts(pdf):
    return [" ".join(unicodedata.normalize("NFC", p.extract_text()).split()) for p in PdfReader(pdf).pages]


def test_the_national_report_covers_34_provinces_the_ministries_and_their_units(national):
    db, paths = national
    n = counts(db)
    assert n["TINH"] == 34 and n["BO"] >= 18 and n["XA"] == 3321 and n["SO"] > 500
    pages = page_texts(paths["pdf"])
    text = " ".join(pages)
    assert f"phạm vi: toàn quốc (34 tỉnh, thành phố và {n['BO']} bộ, ngành)" in text
    assert f"Phạm vi: toàn quốc (34 tỉnh, thành phố và {n['BO']} bộ, ngành)" in text
    with duckdb.connect(str(db), read_only=True) as con:
        top = con.execute("""SELECT unit_name, total FROM unit_scores WHERE period = ? AND rule_version = '2026'
                             AND as_of_date = '2026-10-31' AND unit_type IN ('TINH', 'BO')""", [MONTH]).fetchall()
    assert len(top) == 34 + n["BO"]                       # every ranked unit, not an empty list
    start = text.index("Phụ lục II BẢNG XẾP HẠNG")
    ranking = text[start:text.index("Phụ lục III", start)]
    for name, total in top:
        assert f"{name} " in ranking and vn_number(total) in ranking, name


def test_national_pages_are_structured_like_an_official_report(national):
    _db, paths = national
    reader = PdfReader(paths["pdf"])
    pages = page_texts(paths["pdf"])
    assert pages[0].startswith("VĂN PHÒNG CHÍNH PHỦ CỤC KIỂM SOÁT THỦ TỤC HÀNH CHÍNH")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc" in pages[0]
    # from page 2 on, the page number heads the page (Decree 30)
    for number, page in enumerate(pages[1:], start=2):
        assert page.startswith(f"{number} "), (number, page[:40])
    annexes = {}
    for i, page in enumerate(pages):
        for roman, title in (("I", "BIỂU ĐỒ KẾT QUẢ"), ("II", "BẢNG XẾP HẠNG"), ("III", "SỞ, BAN, NGÀNH"),
                             ("IV", "XÃ, PHƯỜNG, ĐẶC KHU"), ("V", "ĐƠN VỊ XẾP LOẠI YẾU")):
            if f"Phụ lục {roman} {title}" in page:
                annexes.setdefault(roman, i)
    assert list(annexes) == ["I", "II", "III", "IV", "V"], annexes
    signed = next(i for i, p in enumerate(pages) if "Nơi nhận:" in p)
    assert signed < annexes["I"]
    # the tables are landscape, the letter and the charts portrait
    landscape = [float(p.mediabox.width) > float(p.mediabox.height) for p in reader.pages]
    assert not any(landscape[:annexes["II"]]) and all(landscape[annexes["II"]:])
    # annex III and IV: one row per province (and ministry for III), with its best and worst unit
    communes = " ".join(pages[annexes["IV"]:annexes["V"]])
    assert communes.count("Xã, phường, đặc khu") >= 34


def test_the_national_workbook_lists_every_department_and_commune(national):
    db, paths = national
    n = counts(db)
    wb = openpyxl.load_workbook(paths["xlsx"], read_only=True)
    rows = lambda sheet: [r for r in wb[sheet].iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r[1]]  # noqa: E731
    assert len(rows(SHEET_COMMUNES)) == n["XA"]
    assert len(rows(SHEET_DEPARTMENTS)) == n["SO"] + n.get("DON_VI", 0)
    assert len(rows(SHEET_SUMMARY)) == n["TINH"] + n["BO"]
