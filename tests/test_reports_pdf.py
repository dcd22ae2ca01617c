"""The monthly PDF: Vietnamese text survives extraction, figures match the published tables, scope holds."""
from __future__ import annotations

import shutil
import unicodedata

import duckdb
import pytest
from PIL import Image
from pypdf import PdfReader

from dagster_project.reports import build_monthly_report
from dagster_project.reports.render_pages import render_page
from test_reports_sample_db import build_sample_published_db

MONTH = "2026-10"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_sample_published_db(tmp_path_factory.mktemp("published") / "svcindex.duckdb")


@pytest.fixture(scope="module")
def national(db, tmp_path_factory):
    return build_monthly_report(db, MONTH, tmp_path_factory.mktemp("reports"))["pdf"]


def pdf_text(path) -> str:
    """All pages' text, NFC, with whitespace collapsed (a long name may wrap inside a table cell)."""
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def month_rows(db, where):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"""
            SELECT unit_code, unit_name, total FROM unit_scores
            WHERE period_type = 'month' AND period = ? AND as_of_date = '2026-10-31' AND rule_version = '2026'
              AND {where}""", [MONTH]).fetchall()


def test_vietnamese_names_come_out_of_the_pdf_with_their_diacritics(national):
    text = pdf_text(national)
    for name in ("Thành phố Hà Nội", "Phú Thọ", "Thành phố Đà Nẵng", "Thành phố Hồ Chí Minh",
                 "Bảo hiểm xã hội Việt Nam", "BÁO CÁO CHỈ SỐ PHỤC VỤ", "Tháng 10/2026", "Xuất sắc", "Trung bình"):
        assert name in text, name


def test_ranking_table_shows_each_units_published_total(db, national):
    text = pdf_text(national)
    rows = month_rows(db, "unit_type IN ('BO', 'TINH')")
    assert len(rows) == 8
    for _code, name, total in rows:
        assert f"{name} " in text and f"{total:.2f}" in text, name
    # sub-units are not in the national ranking
    assert "Sở Tư pháp tỉnh Phú Thọ" not in text


def test_scoped_pdf_names_only_the_unit_and_its_descendants(db, tmp_path):
    text = pdf_text(build_monthly_report(db, MONTH, tmp_path, unit="H44")["pdf"])
    inside = month_rows(db, "(unit_code = 'H44' OR unit_code LIKE 'H44.%')")
    outside = month_rows(db, "NOT (unit_code = 'H44' OR unit_code LIKE 'H44.%')")
    assert len(inside) == 6
    for _code, name, total in inside:
        assert name in text and f"{total:.2f}" in text, name
    for _code, name, _total in outside:
        assert name not in text, name


def test_same_input_gives_the_same_pdf_bytes(db, national, tmp_path):
    assert build_monthly_report(db, MONTH, tmp_path)["pdf"].read_bytes() == national.read_bytes()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_first_page_renders_to_png(national, tmp_path):
    png = render_page(national, tmp_path / "page1.png", dpi=40)
    with Image.open(png) as image:
        width, height = image.size
        assert image.format == "PNG"
    assert height / width == pytest.approx(297 / 210, rel=0.02)  # A4 portrait
