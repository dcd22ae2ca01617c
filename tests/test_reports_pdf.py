"""The monthly PDF: Vietnamese text survives extraction, figures match the published tables, scope holds."""
from __future__ import annotations

import shutil
import unicodedata

import duckdb
import pytest
from PIL import Image
from pypdf import PdfReader

from dagster_project.reports import build_monthly_report
from dagster_project.reports.config import ReportConfigError, load_report_config
from dagster_project.reports.labels import vn_number
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
                 "Bảo hiểm xã hội Việt Nam", "BÁO CÁO", "tháng 10/2026", "Xuất sắc", "Trung bình"):
        assert name in text, name


def test_ranking_table_shows_each_units_published_total(db, national):
    text = pdf_text(national)
    rows = month_rows(db, "unit_type IN ('BO', 'TINH')")
    assert len(rows) == 8
    for _code, name, total in rows:
        assert f"{name} " in text and vn_number(total) in text, name
    # sub-units are not in the national ranking (Phụ lục II), only in the annexes after it
    ranking = text[text.index("Phụ lục II BẢNG XẾP HẠNG"):text.index("Phụ lục III SỞ, BAN, NGÀNH")]
    assert "Tỉnh Phú Thọ" in ranking and "Sở Tư pháp tỉnh Phú Thọ" not in ranking
    assert "Sở Tư pháp tỉnh Phú Thọ" in text[text.index("Phụ lục III SỞ, BAN, NGÀNH"):]


def test_scoped_pdf_names_only_the_unit_and_its_descendants(db, tmp_path):
    text = pdf_text(build_monthly_report(db, MONTH, tmp_path, unit="H44")["pdf"])
    inside = month_rows(db, "(unit_code = 'H44' OR unit_code LIKE 'H44.%')")
    outside = month_rows(db, "NOT (unit_code = 'H44' OR unit_code LIKE 'H44.%')")
    assert len(inside) == 6
    for _code, name, total in inside:
        assert name in text and vn_number(total) in text, name
    for _code, name, _total in outside:
        assert name not in text, name


def test_same_input_gives_the_same_pdf_bytes(db, national, tmp_path):
    assert build_monthly_report(db, MONTH, tmp_path)["pdf"].read_bytes() == national.read_bytes()


def test_first_page_renders_to_png(national, tmp_path):
    # not a skip: a machine without poppler-utils must fail here (`make test` installs it)
    assert shutil.which("pdftoppm"), "pdftoppm missing: apt-get install poppler-utils (make test does)"
    png = render_page(national, tmp_path / "page1.png", dpi=40)
    with Image.open(png) as image:
        width, height = image.size
        assert image.format == "PNG"
    assert height / width == pytest.approx(297 / 210, rel=0.02)  # A4 portrait


def test_pdf_is_an_administrative_document_of_decree_30(national):
    """National heading and motto, issuing body, number and symbol, place and date, type and title,
    recipients and signer, in that order on the first pages."""
    reader = PdfReader(national)
    first = " ".join(unicodedata.normalize("NFC", reader.pages[0].extract_text()).split())
    order = ["VĂN PHÒNG CHÍNH PHỦ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
             "/BC-KSTT", "Hà Nội, ngày 01 tháng 11 năm 2026", "BÁO CÁO",
             "Kết quả Chỉ số phục vụ người dân, doanh nghiệp", "I. TÓM TẮT"]
    positions = [first.find(s) for s in order]
    assert -1 not in positions, dict(zip(order, positions))
    text = pdf_text(national)
    assert text.index("Nơi nhận:") < text.index("KT. CỤC TRƯỞNG") < text.index("Phụ lục I BIỂU ĐỒ KẾT QUẢ")
    assert "(Kèm theo Báo cáo số /BC-KSTT ngày 01 tháng 11 năm 2026 của Cục Kiểm soát thủ tục hành chính)" in text
    assert "Số: 127/BC-KSTT" not in text  # the number is the clerk's: left blank by default


def test_summary_method_scope_and_numbers_are_stated_the_vietnamese_way(db, national):
    import re

    text = pdf_text(national)
    assert "I. TÓM TẮT" in text and "III. PHƯƠNG PHÁP" in text and "IV. PHẠM VI VÀ CHẤT LƯỢNG SỐ LIỆU" in text
    # the sample holds 5 provinces: the report must not call that national
    assert "toàn quốc" not in text.lower().replace("không phải số liệu toàn quốc", "")
    assert "5 tỉnh, thành phố (Thành phố Hà Nội" in text
    # no decimal point in any figure: 64,76 not 64.76
    assert not re.search(r"(?<![\d.])\d{1,3}\.\d{2}(?![\d.])", text), re.findall(r"\d+\.\d{2}\b", text)[:5]
    provinces = month_rows(db, "unit_type = 'TINH'")
    mean = sum(t for *_x, t in provinces) / len(provinces)
    assert f"đạt bình quân {vn_number(mean)} điểm" in text
    for name in ("Công khai, minh bạch", "Tiến độ, kết quả giải quyết", "Mức độ hài lòng"):
        assert name in text
    # the criteria of the rule version, and the policy used where a denominator was empty
    assert "TDGQ.1" in text and "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn" in text
    assert "MDHL.1: Mẫu số bằng 0: tính đủ điểm (2 đơn vị)" in text
    assert "không có bảng miễn trừ" in text


def test_bands_waivers_and_coverage_are_read_from_the_published_file(db, tmp_path):
    copy = tmp_path / "svcindex.duckdb"
    copy.write_bytes(db.read_bytes())
    with duckdb.connect(str(copy)) as con:
        con.execute("""
            CREATE OR REPLACE TABLE bands AS SELECT * FROM (VALUES ('2026', 'Xuất sắc', 90, 'I'), ('2026', 'Tốt', 80, 'I'),
                ('2026', 'Khá', 70, 'I'), ('2026', 'Trung bình', 50, 'I'), ('2026', 'Yếu', 0, 'I'))
                t(rule_version, band_name, min_total, evidence);
            CREATE OR REPLACE TABLE waivers AS SELECT 'dvcqg_pakn' AS source, DATE '2026-10-12' AS night,
                'nguồn PAKN bảo trì hệ thống' AS reason, 'vanthu' AS waived_by,
                TIMESTAMP '2026-10-13 08:00:00' AS waived_at, 'run-2026-10-31' AS run_id;
            UPDATE unit_scores SET coverage_first_night = DATE '2026-10-01', coverage_last_night = DATE '2026-10-31',
                coverage_complete = (unit_code <> 'H44.X02');
        """)
    text = pdf_text(build_monthly_report(copy, MONTH, tmp_path / "out")["pdf"])
    assert "Xếp loại: Xuất sắc từ 90 điểm; Tốt từ 80 đến dưới 90; Khá từ 70 đến dưới 80; " \
           "Trung bình từ 50 đến dưới 70; Yếu dưới 50 điểm [I]" in text
    assert "nguồn dvcqg_pakn, đêm 12/10/2026: nguồn PAKN bảo trì hệ thống (vanthu)" in text
    assert "từ ngày 01/10/2026 đến ngày 31/10/2026" in text
    assert "1 trong 15 đơn vị chưa có đủ số liệu cả kỳ" in text


def test_the_frame_comes_from_the_config_file_and_its_override(db, tmp_path):
    home_root = tmp_path / "home"
    home_root.mkdir()
    (home_root / "report.toml").write_text(
        '[document]\nnumber = "127"\nplace = "Hà Nội"\ndate = 2026-11-30\nto = ["Thủ tướng Chính phủ"]\n'
        '[signer]\nname = "Nguyễn Văn Bình"\n', encoding="utf-8")
    config = load_report_config(home_root)
    assert config.issuer_parent == "VĂN PHÒNG CHÍNH PHỦ"  # kept from the defaults
    text = pdf_text(build_monthly_report(db, MONTH, tmp_path / "out", config=config)["pdf"])
    assert "Số: 127/BC-KSTT" in text and "Hà Nội, ngày 30 tháng 11 năm 2026" in text
    assert "Kính gửi: Thủ tướng Chính phủ" in text and "Nguyễn Văn Bình" in text
    (home_root / "report.toml").write_text('[signer]\nnmae = "x"\n', encoding="utf-8")
    with pytest.raises(ReportConfigError, match="unknown key.*nmae.*known: authority, title, name"):
        load_report_config(home_root)
