"""The PDF report: title page with key figures, ranked bars, national trend, group heatmap, ranking table.

Text is set in DejaVu Sans embedded from matplotlib's own font directory: it covers every
Vietnamese letter and is present wherever the package's dependencies are installed.
"""
from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import matplotlib
import pandas as pd
from fpdf import FPDF, FontFace, XPos, YPos
from PIL import Image

from . import charts
from .data import ReportData
from .labels import BAND_COLOURS, BLOCK_TITLES, GROUPS, LEGAL_BASIS, TITLE, band_colour, date_label, month_label

FONT = "DejaVu"
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
MARGIN = 15
NAVY = (31, 78, 121)
CHART_CHUNK = 36  # units per chart, so that a chart and its heading fit one A4 page
_HEAD = FontFace(emphasis="B", size_pt=7.5, color=255, fill_color=NAVY)
# Every field set: fpdf2 otherwise carries the last fill and emphasis into body cells.
_PLAIN = FontFace(emphasis="", size_pt=7.5, color=0, fill_color=255)


class _Report(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "I", 7)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.footer_text} — trang {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)


def write_pdf(data: ReportData, path: Path) -> Path:
    pdf = _Report(format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=16)
    for style, name in FONT_FILES.items():
        pdf.add_font(FONT, style, str(FONT_DIR / name))
    # Dated by its data, not by the clock: reruns give the same bytes.
    pdf.set_creation_date(datetime.combine(data.as_of_date, datetime.min.time()))
    pdf.set_title(f"Báo cáo Chỉ số phục vụ người dân, doanh nghiệp tháng {month_label(data.month)}")
    pdf.set_author("svcindex")
    pdf.footer_text = (f"Chỉ số phục vụ người dân, doanh nghiệp — tháng {month_label(data.month)}"
                       + (f" — {data.unit_name}" if data.unit else ""))

    sections = _chart_sections(data)
    _title_page(pdf, data)
    pdf.add_page()
    n = _per_section(pdf, 0, "Xếp hạng", sections, charts.ranked_bars)
    n += 1
    _figure(pdf, f"{n}. Xu hướng tổng điểm theo tháng", charts.trend_lines(data.trend),
            "Điểm bình quân của các tỉnh, thành phố và của các bộ, ngành mỗi tháng (số liệu công bố mới nhất "
            f"của từng tháng, bộ tiêu chí {data.rule_version})"
            + (f"; đường riêng là tổng điểm của {data.unit_name}." if data.unit else "."))
    names = dict(zip(data.ranking.unit_code, data.ranking.unit_name))
    n = _per_section(pdf, n, "Điểm từng nhóm, % điểm tối đa", sections,
                     lambda chunk: charts.group_heatmap(data.group_pct, list(chunk.unit_code), names))
    _heading(pdf, f"{n + 1}. Bảng xếp hạng", new_page=True)
    _ranking_table(pdf, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def _chart_sections(data: ReportData) -> list[tuple[str, pd.DataFrame]]:
    """Nationally: provinces, then ministries, each ranked on its own; for one unit: its whole tree."""
    if data.unit:
        return [(f"{data.unit_name} và các đơn vị trực thuộc", data.ranking)]
    by_section = [(rows.section.iloc[0], rows) for _order, rows in data.ranking.groupby("section_order")]
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


def _title_page(pdf: FPDF, data: ReportData) -> None:
    pdf.add_page()
    pdf.set_fill_color(*NAVY)
    pdf.rect(0, 0, pdf.w, 8, style="F")
    pdf.set_y(28)
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*NAVY)
    pdf.cell(0, 6, "BÁO CÁO GỬI VĂN PHÒNG CHÍNH PHỦ", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font(FONT, "B", 20)
    pdf.multi_cell(0, 10, "BÁO CÁO CHỈ SỐ PHỤC VỤ\nNGƯỜI DÂN, DOANH NGHIỆP", align="C",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 15)
    pdf.cell(0, 10, f"Tháng {month_label(data.month)}", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)
    pdf.set_font(FONT, "", 10)
    scope = f"{data.unit_name} ({data.unit}) và các đơn vị trực thuộc" if data.unit else "Toàn quốc"
    pdf.multi_cell(0, 5.5, f"{TITLE}\n{LEGAL_BASIS}\nPhạm vi: {scope}\n"
                           f"Số liệu đến ngày {date_label(data.as_of_date)} · Bộ tiêu chí {data.rule_version}",
                   align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    _heading(pdf, "Số liệu chính")
    _key_figures(pdf, data)
    pdf.ln(1)
    _band_legend(pdf, data)
    pdf.ln(4)
    _heading(pdf, "Điểm đáng chú ý")
    pdf.set_font(FONT, "", 9.5)
    for line in _highlights(data):
        pdf.multi_cell(0, 5.5, f"•  {line}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _highlights(data: ReportData) -> list[str]:
    lines = []
    for series, rows in data.trend.groupby("series", sort=True):
        if len(rows) > 1:
            last, prev = rows.iloc[-1], rows.iloc[-2]
            what = "bình quân " if series in BLOCK_TITLES.values() else ""
            lines.append(f"{series}: {what}{last.total:.2f} điểm, {last.total - prev.total:+.2f} so với tháng "
                         f"{month_label(prev.period)}.")
    lines.append(f"Số đơn vị xếp loại Yếu (mọi cấp, trong phạm vi báo cáo): {len(data.weak)}.")
    lines.append(f"Số đơn vị chưa đủ dữ liệu xếp hạng (không có hồ sơ, PAKN; không xếp hạng): {len(data.unrated)}.")
    first, last, complete = data.coverage
    if not complete:
        lines.append(f"Dữ liệu chỉ phủ một phần tháng (đêm {first or '—'} đến {last or '—'}): "
                     "không so sánh với tháng trước.")
    if data.quality is not None and "success" in data.quality:
        failed = data.quality[~data.quality.success.astype(bool)]
        blocking = int((failed.get("severity") == "blocking").sum()) if "severity" in failed else len(failed)
        lines.append(f"Kiểm tra chất lượng dữ liệu trước khi công bố: {len(data.quality)} kiểm tra, "
                     f"{blocking} lỗi chặn, {len(failed) - blocking} cảnh báo (chi tiết: phụ lục trong tệp Excel).")
    for w in ([] if data.waivers is None else data.waivers.itertuples()):
        lines.append(f"Miễn trừ: nguồn {w.source}, đêm {w.night:%d/%m/%Y} công bố thiếu tệp bị từ chối — "
                     f"{w.reason} ({w.waived_by}, {w.waived_at:%d/%m/%Y %H:%M}).")
    return lines


def _key_figures(pdf: FPDF, data: ReportData) -> None:
    bands = list(BAND_COLOURS)
    header = ["Khối / nhóm đơn vị", "Số đơn vị", "Bình quân", "Cao nhất", "Thấp nhất", *bands]
    with pdf.table(col_widths=(26, 13, 14, 31, 31, *[13] * len(bands)), text_align="CENTER", line_height=4.5,
                   headings_style=_HEAD, padding=1) as table:
        row = table.row()
        for text in header:
            fill, white = band_colour(text) if text in BAND_COLOURS else ("1F4E79", True)
            row.cell(text, style=FontFace(emphasis="B", size_pt=7, color=255 if white else 0, fill_color=_rgb(fill)))
        for _order, rows in data.ranking.groupby("section_order"):
            best, worst = rows.loc[rows.total.idxmax()], rows.loc[rows.total.idxmin()]
            counts = rows.band.value_counts()
            row = table.row()
            for text in [rows.section.iloc[0], str(len(rows)), f"{rows.total.mean():.2f}",
                         f"{best.unit_name} ({best.total:.2f})", f"{worst.unit_name} ({worst.total:.2f})",
                         *[str(counts.get(b, 0)) for b in bands]]:
                row.cell(text, style=_PLAIN)


def _band_legend(pdf: FPDF, data: ReportData) -> None:
    # The thresholds live in the rulebook seeds, so the legend names the rule version, not numbers.
    pdf.set_font(FONT, "", 8)
    pdf.cell(0, 5, f"Xếp loại (Xuất sắc, Tốt, Khá, Trung bình, Yếu) theo ngưỡng điểm của bộ tiêu chí {data.rule_version}.",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _ranking_table(pdf: FPDF, data: ReportData) -> None:
    header = ["Hạng", "Đơn vị", *[code for code, _ in GROUPS], "Tổng", "Xếp loại", "+/−"]
    widths = (10, 52, 11, 11, 11, 11, 11, 11, 13, 19, 12)
    with pdf.table(col_widths=widths, text_align=("CENTER", "LEFT", *["RIGHT"] * 7, "CENTER", "RIGHT"),
                   line_height=4.6, headings_style=_HEAD, padding=(0.6, 1), repeat_headings=1) as table:
        row = table.row()
        for text in header:
            row.cell(text, align="CENTER")
        section_style = FontFace(emphasis="B", size_pt=8, color=0, fill_color=(221, 235, 247))
        for _order, rows in data.ranking.groupby("section_order"):
            table.row().cell(rows.section.iloc[0], colspan=len(header), align="LEFT", style=section_style)
            for unit in rows.itertuples(index=False):
                fill, white = band_colour(unit.band)
                row = table.row()
                for text in [str(unit.rank), unit.unit_name,
                             *[f"{getattr(unit, code.lower()):.2f}" for code, _ in GROUPS], f"{unit.total:.2f}"]:
                    row.cell(text, style=_PLAIN)
                row.cell(unit.band, style=FontFace(size_pt=7.5, emphasis="B", fill_color=_rgb(fill),
                                                   color=255 if white else 0))
                row.cell("" if pd.isna(unit.total_change) else f"{unit.total_change:+.2f}", style=_PLAIN)
    pdf.ln(2)
    _band_legend(pdf, data)



def _heading(pdf: FPDF, text: str, *, new_page: bool = False) -> None:
    if new_page:
        pdf.add_page()
    pdf.set_font(FONT, "B", 12)
    pdf.set_text_color(*NAVY)
    pdf.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)
    pdf.ln(1)


def _paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


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
        _paragraph(pdf, caption)
    pdf.image(io.BytesIO(png), x=pdf.l_margin, y=pdf.get_y(), w=pdf.epw, h=height)
    pdf.set_y(pdf.get_y() + height + 6)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))
