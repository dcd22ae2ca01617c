"""The PDF report as an administrative document (Decree 30/2020/NĐ-CP, Appendix I): national
heading and motto, issuing body, number and symbol, place and date, document type and title,
body (summary, results, method, scope and data quality), recipients and signer; then the annexes
(charts, the ranking, departments and communes, units rated Yếu).

Text is set in DejaVu Serif (body) and DejaVu Sans (tables), embedded from matplotlib's own font
directory: both cover every Vietnamese letter and are present wherever the package installs.
Numbers are written the Vietnamese way (64,76; 12.345).
"""
from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import matplotlib
import pandas as pd
from fpdf import FPDF, FontFace, XPos, YPos
from PIL import Image

from . import charts
from .config import ReportConfig, load_report_config
from .data import ReportData
from .workbook import SHEET_WEAK
from .labels import (BLOCK_TITLES, CURVE_LABELS, LEGAL_BASIS, TITLE,
                     UNIT_TYPE_TITLES, month_label, official_date, policy_label, vn_number, vn_percent)

FONT, SERIF = "DejaVu", "DejaVuSerif"
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_FILES = {FONT: {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"},
              SERIF: {"": "DejaVuSerif.ttf", "B": "DejaVuSerif-Bold.ttf", "I": "DejaVuSerif-Italic.ttf",
                      "BI": "DejaVuSerif-BoldItalic.ttf"}}
# Decree 30 margins: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
LEFT, RIGHT, TOP, BOTTOM = 30, 15, 20, 20
NAVY = (31, 78, 121)
CHART_CHUNK = 36  # units per chart, so that a chart and its heading fit one A4 page
WEAK_LISTED = 120  # units rated Yếu listed by name in the PDF; the workbook lists all
SYNC_LISTED = 60  # rows per sync-gap / improvement table in the PDF; the workbook lists all
_HEAD = FontFace(emphasis="B", size_pt=7.5, color=255, fill_color=NAVY)
# Every field set: fpdf2 otherwise carries the last fill and emphasis into body cells.
_PLAIN = FontFace(emphasis="", size_pt=7.5, color=0, fill_color=255)
def roman(number: int) -> str:
    """Section and annex numbers (I, II, …): a national report has an annex per province."""
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, number = divmod(number, value)
        out += numeral * count
    return out


class _Report(FPDF):
    def header(self) -> None:
        # Decree 30: page numbers centred in the top margin, from the second page on.
        if self.page_no() > 1:
            self.set_y(8)
            self.set_font(SERIF, "", 10)
            self.cell(0, 5, str(self.page_no()), align="C")
            self.set_y(TOP)


def write_pdf(data: ReportData, path: Path, config: ReportConfig | None = None) -> Path:
    config = config or load_report_config()
    pdf = _Report(format="A4")
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, margin=BOTTOM)
    for family, files in FONT_FILES.items():
        for style, name in files.items():
            pdf.add_font(family, style, str(FONT_DIR / name))
    # Dated by its data, not by the clock: reruns give the same bytes.
    pdf.set_creation_date(datetime.combine(data.as_of_date, datetime.min.time()))
    pdf.set_title(f"Báo cáo Chỉ số phục vụ người dân, doanh nghiệp tháng {month_label(data.month)}")
    pdf.set_author(config.issuer_in_text)
    pdf.set_subject(TITLE)
    pdf.set_creator("svcindex")

    issued = config.date or data.published_on or (data.as_of_date + timedelta(days=1))
    pdf.add_page()
    _official_heading(pdf, config, issued)
    _document_title(pdf, data, config)
    _body(pdf, data)
    _signature(pdf, config)
    _annexes(pdf, data, config, issued)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


# --- the administrative frame --------------------------------------------------------------

def _official_heading(pdf: FPDF, config: ReportConfig, issued) -> None:
    """Two columns: issuing body and number on the left; national heading, motto, place and date right."""
    left_w, right_w = 70, pdf.epw - 70
    x_left, x_right, top = pdf.l_margin - 12, pdf.l_margin - 12 + left_w, pdf.get_y()
    # left: cơ quan chủ quản (regular), cơ quan ban hành (bold), a short rule
    pdf.set_xy(x_left, top)
    pdf.set_font(SERIF, "", 11)
    pdf.multi_cell(left_w, 5, config.issuer_parent.upper(), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(SERIF, "B", 11)
    pdf.multi_cell(left_w, 5, config.issuer_name.upper(), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    y = pdf.get_y() + 1
    pdf.line(x_left + left_w / 2 - 12, y, x_left + left_w / 2 + 12, y)
    pdf.set_xy(x_left, y + 2)
    pdf.set_font(SERIF, "", 12)
    pdf.cell(left_w, 6, config.symbol, align="C")
    left_bottom = y + 8
    # right: quốc hiệu (bold, upper), tiêu ngữ (bold, underlined by a rule as wide as the text)
    pdf.set_xy(x_right, top)
    pdf.set_font(SERIF, "B", 11)
    pdf.cell(right_w, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(SERIF, "B", 12)
    motto = "Độc lập - Tự do - Hạnh phúc"
    pdf.cell(right_w, 6, motto, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    width = pdf.get_string_width(motto)
    y = pdf.get_y() + 0.5
    pdf.line(x_right + (right_w - width) / 2, y, x_right + (right_w + width) / 2, y)
    pdf.set_xy(x_right, y + 3.5)
    pdf.set_font(SERIF, "I", 12)
    pdf.cell(right_w, 6, f"{config.place}, {official_date(issued)}", align="C")
    pdf.set_xy(pdf.l_margin, max(left_bottom, pdf.get_y() + 6) + 6)


def _document_title(pdf: FPDF, data: ReportData, config: ReportConfig) -> None:
    pdf.set_font(SERIF, "B", 14)
    pdf.cell(0, 7, "BÁO CÁO", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(SERIF, "B", 12.5)
    scope = f" của {data.unit_name} và các đơn vị trực thuộc" if data.unit else ""
    pdf.multi_cell(0, 6, f"Kết quả Chỉ số phục vụ người dân, doanh nghiệp trong thực hiện thủ tục hành chính, "
                         f"dịch vụ công tháng {month_label(data.month)}{scope}",
                   align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    y = pdf.get_y() + 1
    pdf.line(pdf.l_margin + pdf.epw / 2 - 20, y, pdf.l_margin + pdf.epw / 2 + 20, y)
    pdf.set_y(y + 4)
    if config.to:
        pdf.set_font(SERIF, "", 13)
        label = "Kính gửi: "
        pdf.set_x(pdf.l_margin + 25)
        pdf.cell(pdf.get_string_width(label), 6, label)
        indent = pdf.get_x()
        for line in config.to:
            pdf.set_x(indent)
            pdf.cell(0, 6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)


def _signature(pdf: FPDF, config: ReportConfig) -> None:
    """'Nơi nhận' bottom left (small), the signer right: authority, title, space to sign, name."""
    needed = 14 + 5 * len(config.recipients) + 10
    if pdf.get_y() + max(needed, 50) > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(4)
    top = pdf.get_y()
    left_w = 80
    pdf.set_font(SERIF, "BI", 12)
    pdf.cell(left_w, 6, "Nơi nhận:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(SERIF, "", 10)
    for line in config.recipients:
        pdf.multi_cell(left_w, 4.6, f"- {line}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    bottom = pdf.get_y()
    x, w = pdf.l_margin + left_w, pdf.epw - left_w
    pdf.set_xy(x, top)
    pdf.set_font(SERIF, "B", 12.5)
    for line in (config.signer_authority, config.signer_title):
        if line:
            pdf.set_x(x)
            pdf.cell(w, 6, line.upper(), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.ln(24)  # space for the signature and the seal
    pdf.set_x(x)
    pdf.cell(w, 6, config.signer_name or "." * 30, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_xy(pdf.l_margin, max(bottom, pdf.get_y()) + 2)


# --- the body ------------------------------------------------------------------------------

def _section(pdf: FPDF, number: int, text: str) -> None:
    if pdf.get_y() + 30 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(1)
    pdf.set_font(SERIF, "B", 12)
    pdf.multi_cell(0, 6.5, f"{roman(number)}. {text.upper()}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(0.5)


def _paragraph(pdf: FPDF, text: str, *, size: float = 11.5, indent: bool = True) -> None:
    pdf.set_font(SERIF, "", size)
    # first-line indent, justified, as Decree 30 body text
    pdf.multi_cell(0, 5.8, ("      " if indent else "") + text, align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.2)


def _body(pdf: FPDF, data: ReportData) -> None:
    _paragraph(pdf, f"{LEGAL_BASIS}; {data.scope_sentence()} Số liệu tính đến ngày "
                    f"{data.as_of_date:%d/%m/%Y}, bộ tiêu chí {data.rule_version}.")
    _section(pdf, 1, "Tóm tắt")
    _paragraph(pdf, executive_summary(data))
    _section(pdf, 2, f"Kết quả tháng {month_label(data.month)}")
    _key_figures(pdf, data)
    pdf.ln(2)
    for line in _highlights(data):
        _paragraph(pdf, f"- {line}", size=11)
    _section(pdf, 3, "Phương pháp")
    _method(pdf, data)
    _section(pdf, 4, "Phạm vi và chất lượng số liệu")
    for line in _data_notes(data):
        _paragraph(pdf, f"- {line}", size=11)


def _ranked_sections(data: ReportData):
    """Per ranking section (provinces, ministries…), its rated units, best, worst and band counts."""
    for _order, rows in data.ranking.groupby("section_order"):
        rows = rows[rows.total.notna()]
        if not rows.empty:
            yield rows, rows.loc[rows.total.idxmax()], rows.loc[rows.total.idxmin()], rows.band.value_counts()


def executive_summary(data: ReportData) -> str:
    """One paragraph: how the blocks scored, best and worst, band counts, change, weak units, gate."""
    parts = []
    for rows, best, worst, counts in _ranked_sections(data):
        bands = ", ".join(f"{counts[b]} {b}" for b in data.band_names if counts.get(b, 0))
        text = (f"{len(rows)} {rows.section.iloc[0].lower()} đạt bình quân {vn_number(rows.total.mean())} điểm, "
                f"cao nhất {best.unit_name} ({vn_number(best.total)}), thấp nhất {worst.unit_name} "
                f"({vn_number(worst.total)}); xếp loại: {bands}")
        changes = rows.total_change.dropna()
        if len(changes):
            text += (f"; so với tháng trước {int((changes > 0).sum())} đơn vị tăng, "
                     f"{int((changes < 0).sum())} đơn vị giảm điểm")
        parts.append(text)
    summary = f"Tháng {month_label(data.month)}, " + "; ".join(parts) + "." if parts else \
        f"Tháng {month_label(data.month)} chưa có đơn vị nào được xếp hạng."
    summary += f" Có {vn_number(len(data.weak), 0)} đơn vị (mọi cấp) xếp loại {data.weak_band}."
    if data.quality is not None and "success" in data.quality:
        failed = data.quality[~data.quality.success.astype(bool)]
        summary += (f" Số liệu đã qua {vn_number(len(data.quality), 0)} kiểm tra chất lượng trước khi công bố, "
                    f"{vn_number(len(failed), 0)} kiểm tra có cảnh báo, không có lỗi chặn công bố.")
    return summary


def _key_figures(pdf: FPDF, data: ReportData) -> None:
    bands = list(data.band_names)
    header = ["Khối / nhóm đơn vị", "Số đơn vị", "Bình quân", "Cao nhất", "Thấp nhất", *bands]
    with pdf.table(align="LEFT", col_widths=(24, 12, 14, 30, 30, *[11] * len(bands)), text_align="CENTER", line_height=4.3,
                   headings_style=_HEAD, padding=1) as table:
        row = table.row()
        for text in header:
            fill, white = data.band_colour(text) if text in bands else ("1F4E79", True)
            row.cell(text, style=FontFace(emphasis="B", size_pt=7, color=255 if white else 0, fill_color=_rgb(fill)))
        for rows, best, worst, counts in _ranked_sections(data):
            row = table.row()
            for text in [rows.section.iloc[0], str(len(rows)), vn_number(rows.total.mean()),
                         f"{best.unit_name} ({vn_number(best.total)})", f"{worst.unit_name} ({vn_number(worst.total)})",
                         *[str(counts.get(b, 0)) for b in bands]]:
                row.cell(text, style=_PLAIN)


def _highlights(data: ReportData) -> list[str]:
    lines = []
    for series, rows in data.trend.groupby("series", sort=True):
        if len(rows) > 1:
            last, prev = rows.iloc[-1], rows.iloc[-2]
            what = "bình quân " if series in BLOCK_TITLES.values() else ""
            lines.append(f"{series}: {what}{vn_number(last.total)} điểm, {vn_number(last.total - prev.total, signed=True)} "
                         f"điểm so với tháng {month_label(prev.period)}.")
    lines.append(f"Số đơn vị xếp loại {data.weak_band} (mọi cấp, trong phạm vi báo cáo): {vn_number(len(data.weak), 0)} "
                 f"(danh sách tại Phụ lục {'III' if data.unit else 'V'}).")
    return lines


def band_sentence(data: ReportData) -> str:
    """The thresholds as published in `bands`; without that table, the rule version is named instead."""
    if data.bands.empty:
        return (f"Xếp loại ({', '.join(data.band_names)}) theo ngưỡng điểm của bộ tiêu chí "
                f"{data.rule_version}.")
    rows = list(data.bands.itertuples(index=False))
    parts = []
    for i, b in enumerate(rows):
        upper = rows[i - 1].min_total if i else None
        if upper is None:
            parts.append(f"{b.band_name} từ {vn_number(b.min_total, 0)} điểm")
        elif b.min_total > 0:
            parts.append(f"{b.band_name} từ {vn_number(b.min_total, 0)} đến dưới {vn_number(upper, 0)}")
        else:
            parts.append(f"{b.band_name} dưới {vn_number(upper, 0)} điểm")
    inferred = " [I]: ngưỡng suy luận từ số liệu Cổng đã công bố, chưa có văn bản chính thức" \
        if (data.bands.get("evidence") == "I").any() else ""
    return "Xếp loại: " + "; ".join(parts) + inferred + "."


def _method(pdf: FPDF, data: ReportData) -> None:
    _paragraph(pdf, f"Chỉ số gồm {len(data.groups)} nhóm do Cổng Dịch vụ công quốc gia công bố: "
                    + "; ".join(f"{name} ({code}, {vn_number(data.group_max.get(code), 0)} điểm)"
                                for code, name in data.groups)
                    + ". Điểm mỗi nhóm làm tròn 2 chữ số thập phân; tổng điểm là tổng các nhóm đã làm tròn. "
                      "Điểm của đơn vị tính trên toàn bộ hồ sơ thuộc thẩm quyền, không phải bình quân các đơn vị "
                      "cấp dưới.")
    _paragraph(pdf, band_sentence(data))
    method = data.method
    if method.empty:
        return
    inferred = method[method.get("evidence", pd.Series(index=method.index, dtype=object)) == "I"]
    if len(inferred):
        _paragraph(pdf, "Quy tắc suy luận [I] (khớp số liệu đã công bố nhưng chưa đối chiếu được văn bản; là tham số "
                        "của bộ quy tắc, có thể điều chỉnh): " + "; ".join(
                            f"{r.criterion_code} {r.name_vi}" for r in inferred.itertuples(index=False)) + ".")
    _criteria_table(pdf, method)


def _criteria_table(pdf: FPDF, method: pd.DataFrame) -> None:
    header = ["Mã", "Tiêu chí", "Điểm tối đa", "Cách tính điểm", "Căn cứ"]
    with pdf.table(align="LEFT", col_widths=(16, 82, 15, 30, 22), text_align=("LEFT", "LEFT", "RIGHT", "LEFT", "CENTER"),
                   line_height=3.9, headings_style=_HEAD, padding=(0.5, 1), repeat_headings=1) as table:
        row = table.row()
        for text in header:
            row.cell(text, align="CENTER")
        for r in method.itertuples(index=False):
            target = getattr(r, "target", None)
            curve = CURVE_LABELS.get(str(r.curve), str(r.curve)).format(
                target=vn_percent(target, 0) if target is not None and target == target else "")
            evidence = getattr(r, "evidence", None)
            row = table.row()
            for text in (r.criterion_code, r.name_vi, vn_number(r.max_points, 0), curve,
                         "[I] suy luận" if evidence == "I" else ("đã đối chiếu" if evidence == "V" else "")):
                row.cell(str(text), style=_PLAIN)


def _data_notes(data: ReportData) -> list[str]:
    notes = [data.scope_line() + "."]
    cov = data.coverage
    if cov and cov.get("first_night") is not None:
        incomplete = cov.get("incomplete_units") or 0
        notes.append(f"Số liệu trích xuất hằng đêm từ ngày {cov['first_night']:%d/%m/%Y} đến ngày "
                     f"{cov['last_night']:%d/%m/%Y}; "
                     + (f"{vn_number(incomplete, 0)} trong {vn_number(cov['units'], 0)} đơn vị chưa có đủ số liệu "
                        "cả kỳ, điểm của các đơn vị này không dùng để so sánh với kỳ trước."
                        if incomplete else "các đêm trích xuất phủ đủ kỳ báo cáo."))
    else:
        notes.append("Tệp công bố chưa ghi các đêm trích xuất phủ kỳ báo cáo (coverage); số liệu tính đến ngày "
                     f"{data.as_of_date:%d/%m/%Y}.")
    if cov and cov.get("unrated_units"):
        notes.append(f"{vn_number(cov['unrated_units'], 0)} đơn vị không phát sinh hồ sơ, phản ánh kiến nghị trong kỳ: "
                     "chưa đủ dữ liệu xếp hạng, không tính vào thống kê và xếp hạng.")
    if data.quality is not None and "success" in data.quality:
        failed = data.quality[~data.quality.success.astype(bool)]
        blocking = int((failed.get("severity") == "blocking").sum()) if "severity" in failed else len(failed)
        notes.append(f"Kiểm tra chất lượng trước khi công bố: {vn_number(len(data.quality), 0)} kiểm tra, "
                     f"{blocking} lỗi chặn, {len(failed) - blocking} cảnh báo (chi tiết: phụ lục của tệp Excel).")
    if data.waivers is None:
        notes.append("Tệp công bố không có bảng miễn trừ (waivers): không ghi nhận miễn trừ nào.")
    elif data.waivers.empty:
        notes.append("Không có đêm trích xuất nào được miễn trừ kiểm tra trong kỳ.")
    else:
        items = "; ".join(f"nguồn {w.source}, đêm {pd.Timestamp(w.night):%d/%m/%Y}: {w.reason}"
                          + (f" ({w.waived_by})" if getattr(w, "waived_by", None) else "")
                          for w in data.waivers.itertuples(index=False))
        notes.append(f"Miễn trừ đã áp dụng ({len(data.waivers)}): {items}.")
    if not data.policies.empty:
        counts = "; ".join(f"{p.criterion_code}: {policy_label(p.policy_applied)} ({vn_number(p.units, 0)} đơn vị)"
                           for p in data.policies.itertuples(index=False))
        notes.append(f"Tiêu chí chấm theo quy tắc thay vì số liệu: {counts}.")
    return notes


# --- annexes -------------------------------------------------------------------------------

def _annex(pdf: FPDF, number: int, title: str, config: ReportConfig, issued, *, landscape: bool = False) -> None:
    """Decree 30 annex heading: 'Phụ lục N', its title, and which document it belongs to."""
    pdf.add_page(orientation="L" if landscape else "P")
    pdf.set_font(SERIF, "B", 12.5)
    pdf.cell(0, 6, f"Phụ lục {roman(number)}", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.multi_cell(0, 6, title.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(SERIF, "I", 11)
    pdf.cell(0, 6, f"(Kèm theo Báo cáo số {config.symbol.removeprefix('Số: ')} {official_date(issued)} "
                   f"của {config.issuer_in_text})", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _annexes(pdf: FPDF, data: ReportData, config: ReportConfig, issued) -> None:
    sections = _chart_sections(data)
    _annex(pdf, 1, "Biểu đồ kết quả", config, issued)
    n = _per_section(pdf, 0, "Xếp hạng", sections, lambda chunk: charts.ranked_bars(chunk, data.band_names))
    n += 1
    _figure(pdf, f"{n}. Xu hướng tổng điểm theo tháng", charts.trend_lines(data.trend),
            "Điểm bình quân của các tỉnh, thành phố và của các bộ, ngành mỗi tháng (số liệu công bố mới nhất "
            f"của từng tháng, bộ tiêu chí {data.rule_version})"
            + (f"; đường riêng là tổng điểm của {data.unit_name}." if data.unit else "."))
    names = dict(zip(data.ranking.unit_code, data.ranking.unit_name))
    _per_section(pdf, n, "Điểm từng nhóm, % điểm tối đa", sections,
                 lambda chunk: charts.group_heatmap(data.group_pct, list(chunk.unit_code), names, data.groups))
    _annex(pdf, 2, "Bảng xếp hạng" + ("" if data.unit else " các bộ, ngành và tỉnh, thành phố"), config, issued,
           landscape=True)
    _ranking_table(pdf, data)
    number = 3
    if not data.unit:
        for levels, title in ((("SO", "HUYEN", "DON_VI"), "Sở, ban, ngành và đơn vị trực thuộc bộ, ngành"),
                              (("XA",), "Xã, phường, đặc khu")):
            rows = data.sub_units[data.sub_units.unit_type.isin(levels)] if not data.sub_units.empty else data.sub_units
            _annex(pdf, number, f"{title}: kết quả theo từng bộ, ngành và tỉnh, thành phố", config, issued,
                   landscape=True)
            _sub_unit_table(pdf, data, rows)
            number += 1
    _annex(pdf, number, f"Đơn vị xếp loại {data.weak_band}", config, issued, landscape=True)
    _weak_table(pdf, data)
    if data.unit:
        number += 1
        _annex(pdf, number, f"Cải thiện điểm: {data.unit_name}", config, issued, landscape=True)
        _improvement(pdf, data)
    # one annex per province: its units' dossiers missing from the portal after N working days
    for code, rows in (data.sync_gap_units.groupby("province_code", sort=True)
                       if not data.sync_gap_units.empty else []):
        number += 1
        _annex(pdf, number, f"Hồ sơ chưa đồng bộ lên Cổng DVCQG: {rows.province_name.iloc[0] or code}", config,
               issued, landscape=True)
        _sync_gap_table(pdf, data, code, rows)


def _simple_table(pdf: FPDF, header: list[str], widths: tuple, rows: list[list[str]], align: tuple) -> None:
    with pdf.table(align="LEFT", col_widths=widths, text_align=align, line_height=4.2, headings_style=_HEAD,
                   padding=(0.5, 1), repeat_headings=1) as table:
        row = table.row()
        for text in header:
            row.cell(text, align="CENTER")
        for values in rows:
            row = table.row()
            for text in values:
                row.cell(text, style=_PLAIN)
    pdf.ln(2)


def _date(value) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d/%m/%Y}"


def _count(value) -> str:
    return "–" if value is None or pd.isna(value) else vn_number(value, 0)


def _sync_gap_table(pdf: FPDF, data: ReportData, province: str, rows: pd.DataFrame) -> None:
    own = rows[rows.unit_code == province]
    total = int(own.gap_dossiers.iloc[0]) if not own.empty else int(rows.gap_dossiers.sum())
    _paragraph(pdf, f"Đến đêm {data.as_of_date:%d/%m/%Y}, {vn_number(total, 0)} hồ sơ đã tiếp nhận tại hệ thống một cửa "
                    "chưa có trên Cổng Dịch vụ công quốc gia sau thời hạn đồng bộ (số ngày làm việc theo bộ tiêu chí). "
                    "Đơn vị vượt ngưỡng cảnh báo được đánh dấu.", indent=False)
    listed = rows.head(SYNC_LISTED)
    _simple_table(pdf, ["Đơn vị", "Cấp", "Hồ sơ tiếp nhận (đủ thời hạn)", "Chưa đồng bộ", "Tỷ lệ",
                        "Hồ sơ cũ nhất", "Số ngày làm việc", "Vượt ngưỡng"],
                  (80, 28, 30, 22, 18, 24, 22, 20),
                  [[r.unit_name or r.unit_code, UNIT_TYPE_TITLES.get(r.unit_type, r.unit_type), _count(r.agency_received),
                    _count(r.gap_dossiers), f"{vn_number(100 * r.gap_share, 1)}%", _date(r.oldest_received_date),
                    _count(r.oldest_age_working_days), "Có" if r.above_warn_share else ""]
                   for r in listed.itertuples(index=False)],
                  ("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "CENTER", "RIGHT", "CENTER"))
    if len(rows) > SYNC_LISTED:
        _paragraph(pdf, f"… và {vn_number(len(rows) - SYNC_LISTED, 0)} đơn vị khác: danh sách đầy đủ tại trang tính "
                        "«Chưa đồng bộ» của tệp Excel; từng hồ sơ tại trang tính «Hồ sơ chưa đồng bộ».", indent=False)


def _improvement(pdf: FPDF, data: ReportData) -> None:
    """One unit's page: points it keeps by finishing its at-risk dossiers on time, events that reach
    a criterion's target or the next band, the at-risk dossiers and the sync gaps."""
    stake = data.stake
    kept = float(stake.points_at_stake.sum()) if not stake.empty else 0.0
    _paragraph(pdf, f"Đến đêm {data.as_of_date:%d/%m/%Y}: {vn_number(len(data.at_risk), 0)} hồ sơ sắp đến hạn trong vài ngày "
                    f"làm việc tới; giải quyết đúng hạn giữ được {vn_number(kept)} điểm tiêu chí trong tháng. "
                    f"{vn_number(len(data.sync_gap_dossiers), 0)} hồ sơ chưa đồng bộ lên Cổng DVCQG.", indent=False)
    moving = stake[(stake.points_at_stake > 0) | (stake.events_to_target.fillna(0) > 0)] if not stake.empty else stake
    if not moving.empty:
        _simple_table(pdf, ["Tiêu chí", "Tử số / mẫu số", "Điểm / tối đa", "Hồ sơ sắp đến hạn", "Điểm giữ được",
                            "Cần thêm để đạt chỉ tiêu", "Cần thêm để lên hạng"],
                      (100, 32, 26, 24, 24, 28, 28),
                      [[f"{r.criterion_code} {r.name_vi or ''}", f"{_count(r.numerator)} / {_count(r.denominator)}",
                        f"{vn_number(r.points)} / {vn_number(r.max_points)}", _count(r.events_at_risk),
                        vn_number(r.points_at_stake), _count(r.events_to_target), _count(r.events_to_next_band)]
                       for r in moving.itertuples(index=False)],
                      ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"))
    if not data.at_risk.empty:
        _heading(pdf, "Hồ sơ sắp đến hạn")
        _simple_table(pdf, ["Mã hồ sơ", "Đơn vị", "Thủ tục hành chính", "Tiếp nhận", "Hạn trả", "Còn (ngày làm việc)"],
                      (44, 56, 96, 22, 22, 22),
                      [[r.dossier_code, r.unit_name or r.unit_code, f"{r.procedure_code} {r.procedure_name or ''}"[:90],
                        _date(r.received_date), _date(r.due_date), _count(r.working_days_left)]
                       for r in data.at_risk.head(SYNC_LISTED).itertuples(index=False)],
                      ("LEFT", "LEFT", "LEFT", "CENTER", "CENTER", "RIGHT"))
    if not data.sync_gap_dossiers.empty:
        _heading(pdf, "Hồ sơ chưa đồng bộ lên Cổng DVCQG")
        _simple_table(pdf, ["Mã hồ sơ", "Đơn vị", "Mã TTHC", "Tiếp nhận", "Số ngày làm việc", "Hệ thống"],
                      (50, 80, 30, 26, 26, 26),
                      [[r.dossier_code, r.unit_name or r.unit_code, r.procedure_code or "", _date(r.received_date),
                        _count(r.age_working_days), r.source_system]
                       for r in data.sync_gap_dossiers.head(SYNC_LISTED).itertuples(index=False)],
                      ("LEFT", "LEFT", "LEFT", "CENTER", "RIGHT", "LEFT"))


def _chart_sections(data: ReportData) -> list[tuple[str, pd.DataFrame]]:
    """Nationally: provinces, then ministries, each ranked on its own; for one unit: its whole tree."""
    ranked = data.ranking[data.ranking.total.notna()]
    if data.unit:
        return [(f"{data.unit_name} và các đơn vị trực thuộc", ranked)]
    by_section = [(rows.section.iloc[0], rows) for _order, rows in ranked.groupby("section_order")]
    return sorted(by_section, key=lambda s: s[1].block.iloc[0] != "TINH")


def _per_section(pdf: FPDF, n: int, what: str, sections, draw) -> int:
    """One numbered chart per section, best unit first, split so that each part fits a page."""
    for title, units in sections:
        n += 1
        ordered = units.sort_values(["total", "unit_code"], ascending=[False, True])
        for start in range(0, len(ordered), CHART_CHUNK):
            _figure(pdf, f"{n}. {what}: {title}" if start == 0 else None,
                    draw(ordered.iloc[start:start + CHART_CHUNK]))
    return n


def _ranking_table(pdf: FPDF, data: ReportData) -> None:
    """Landscape, the six groups spelled out with their maxima; headings repeat on every page."""
    header = ["Hạng", "Đơn vị", *[f"{name} ({vn_number(data.group_max.get(code), 0)})" for code, name in data.groups], "Tổng điểm", "Xếp loại",
              "Thay đổi so với tháng trước"]
    widths = (11, 66, *[126 / len(data.groups)] * len(data.groups), 16, 20, 18)
    with pdf.table(align="LEFT", col_widths=widths, text_align=("CENTER", "LEFT", *["RIGHT"] * (1 + len(data.groups)),
                                                                "CENTER", "RIGHT"),
                   line_height=4.4, headings_style=_HEAD, padding=(0.6, 1), repeat_headings=1) as table:
        row = table.row()
        for text in header:
            row.cell(text, align="CENTER")
        section_style = FontFace(emphasis="B", size_pt=8, color=0, fill_color=(221, 235, 247))
        for _order, rows in data.ranking.groupby("section_order"):
            table.row().cell(rows.section.iloc[0], colspan=len(header), align="LEFT", style=section_style)
            for unit in rows.itertuples(index=False):
                fill, white = data.band_colour(unit.band)
                row = table.row()
                rank = "" if pd.isna(unit.rank) else str(int(unit.rank))
                for text in [rank, unit.unit_name, *[vn_number(getattr(unit, code.lower())) for code in data.group_codes],
                             vn_number(unit.total)]:
                    row.cell(text, style=_PLAIN)
                row.cell(unit.band or "chưa xếp hạng", style=FontFace(size_pt=7.5, emphasis="B",
                                                                      fill_color=_rgb(fill), color=255 if white else 0))
                row.cell("" if pd.isna(unit.total_change) else vn_number(unit.total_change, signed=True), style=_PLAIN)
    pdf.ln(2)
    pdf.set_font(FONT, "", 8)
    pdf.multi_cell(0, 4.5, band_sentence(data), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _sub_unit_table(pdf: FPDF, data: ReportData, rows: pd.DataFrame) -> None:
    if rows.empty:
        _paragraph(pdf, "Tệp công bố không có đơn vị nào ở cấp này trong tháng.", indent=False)
        return
    bands = list(data.band_names)
    header = ["Bộ, ngành / tỉnh, thành phố", "Cấp", "Số đơn vị", "Bình quân", "Cao nhất", "Thấp nhất", *bands]
    widths = (46, 24, 12, 14, 50, 50, *[14] * len(bands))
    with pdf.table(align="LEFT", col_widths=widths, text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "LEFT", "LEFT",
                                                  *["RIGHT"] * len(bands)),
                   line_height=4.2, headings_style=_HEAD, padding=(0.5, 1), repeat_headings=1) as table:
        row = table.row()
        for text in header:
            fill, white = data.band_colour(text) if text in bands else ("1F4E79", True)
            row.cell(text, align="CENTER", style=FontFace(emphasis="B", size_pt=7, color=255 if white else 0,
                                                          fill_color=_rgb(fill)))
        # to_dict: band names with spaces are not attribute names
        for r in rows.sort_values(["block", "top_rank", "top_code", "unit_type"]).to_dict("records"):
            row = table.row()
            values = [r["top_name"], UNIT_TYPE_TITLES.get(r["unit_type"], r["unit_type"]), vn_number(r["units"], 0),
                      vn_number(r["mean_total"]), f"{r['best_name']} ({vn_number(r['highest'])})",
                      f"{r['worst_name']} ({vn_number(r['lowest'])})", *[vn_number(r[b], 0) for b in bands]]
            for text in values:
                row.cell(text, style=_PLAIN)
    pdf.ln(2)
    pdf.set_font(FONT, "", 8)
    pdf.multi_cell(0, 4.5, "Điểm từng đơn vị: tệp Excel kèm theo, trang tính theo cấp.",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _weak_table(pdf: FPDF, data: ReportData) -> None:
    weak = data.weak
    if weak.empty:
        _paragraph(pdf, f"Không có đơn vị nào xếp loại {data.weak_band}.", indent=False)
        return
    header = ["Đơn vị", "Cấp", "Đơn vị cấp trên", "Tổng điểm", *[name for _, name in data.groups]]
    widths = (62, 26, 56, 16, *[16] * len(data.groups))
    with pdf.table(align="LEFT", col_widths=widths, text_align=("LEFT", "LEFT", "LEFT", *["RIGHT"] * (1 + len(data.groups))),
                   line_height=4.2,
                   headings_style=_HEAD, padding=(0.5, 1), repeat_headings=1) as table:
        row = table.row()
        for text in header:
            row.cell(text, align="CENTER")
        for r in weak.head(WEAK_LISTED).itertuples(index=False):
            row = table.row()
            for text in [r.unit_name, UNIT_TYPE_TITLES.get(r.unit_type, r.unit_type), r.parent_name or "",
                         vn_number(r.total), *[vn_number(getattr(r, c.lower())) for c in data.group_codes]]:
                row.cell(str(text), style=_PLAIN)
    if len(weak) > WEAK_LISTED:
        _paragraph(pdf, f"… và {vn_number(len(weak) - WEAK_LISTED, 0)} đơn vị khác: danh sách đầy đủ tại trang tính "
                        f"«{SHEET_WEAK}» của tệp Excel.", indent=False)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.set_font(SERIF, "B", 11.5)
    pdf.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _figure(pdf: FPDF, heading: str | None, png: bytes, caption: str | None = None) -> None:
    """A chart at full content width, kept on one page with its heading and caption."""
    width_px, height_px = Image.open(io.BytesIO(png)).size
    height = pdf.epw * height_px / width_px
    needed = height + (10 if heading else 0) + (12 if caption else 0)
    at_top = pdf.get_y() <= pdf.t_margin + 1
    if not at_top and pdf.get_y() + needed > pdf.h - pdf.b_margin:
        pdf.add_page()
    if heading:
        _heading(pdf, heading)
    if caption:
        _paragraph(pdf, caption, size=10, indent=False)
    pdf.image(io.BytesIO(png), x=pdf.l_margin, y=pdf.get_y(), w=pdf.epw, h=height)
    pdf.set_y(pdf.get_y() + height + 6)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))
