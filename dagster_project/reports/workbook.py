"""The Excel workbook: ranking, one sheet per group, units rated Yếu, data-quality annex."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .data import ReportData
from .labels import ANNEX_HEADERS, GROUPS, LEGAL_BASIS, TITLE, UNIT_TYPE_TITLES, band_colour, date_label, month_label

SCORE, CHANGE, COUNT, RATIO = "0.00", "+0.00;-0.00;0.00", "#,##0", "0.00%"
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
SECTION_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_ROW = 4  # rows 1-3: title, scope and as-of line, blank

SHEET_SUMMARY, SHEET_WEAK, SHEET_QUALITY = "Tổng hợp", "Đơn vị xếp loại Yếu", "Chất lượng dữ liệu"
SHEET_UNRATED = "Chưa đủ dữ liệu xếp hạng"
UNRATED_COLUMNS: list[Column] = [
    ("Mã đơn vị", "unit_code", None, 12), ("Tên đơn vị", "unit_name", None, 36), ("Cấp", "unit_type_vi", None, 18),
    ("Đơn vị cấp trên", "parent_name", None, 28), ("Số hồ sơ tiếp nhận", "dossiers_received", "#,##0", 14),
    ("Số PAKN", "feedback_received", "#,##0", 10),
]

# (header, source column, number format, width)
Column = tuple[str, str, str | None, int]


def summary_columns(group_max: dict[str, float]) -> list[Column]:
    groups = [(f"{code}\n{title}\n({_fmt_max(group_max.get(code))} điểm)", code.lower(), SCORE, 14)
              for code, title in GROUPS]
    return [("Hạng", "rank", "0", 7), ("Mã đơn vị", "unit_code", None, 12), ("Tên đơn vị", "unit_name", None, 36),
            *groups, ("Tổng điểm", "total", SCORE, 11), ("Xếp loại", "band", None, 13),
            ("Thay đổi so với tháng trước", "total_change", CHANGE, 14)]


CRITERION_COLUMNS: list[Column] = [
    ("Hạng", "rank", "0", 7), ("Mã đơn vị", "unit_code", None, 12), ("Tên đơn vị", "unit_name", None, 34),
    ("Mã tiêu chí", "criterion_code", None, 11), ("Tiêu chí", "name_vi", None, 48),
    ("Tử số", "numerator", COUNT, 12), ("Mẫu số", "denominator", COUNT, 12), ("Tỷ lệ", "ratio", RATIO, 10),
    ("Điểm", "points", SCORE, 9), ("Điểm tối đa", "max_points", SCORE, 10),
    ("Chính sách áp dụng", "policy_applied", None, 16),
]

WEAK_COLUMNS: list[Column] = [
    ("Mã đơn vị", "unit_code", None, 12), ("Tên đơn vị", "unit_name", None, 36), ("Cấp", "unit_type_vi", None, 18),
    ("Đơn vị cấp trên", "parent_name", None, 28), ("Tổng điểm", "total", SCORE, 11), ("Xếp loại", "band", None, 12),
    ("Thay đổi so với tháng trước", "total_change", CHANGE, 14),
    *[(code, code.lower(), SCORE, 9) for code, _ in GROUPS],
]


def write_workbook(data: ReportData, path: Path) -> Path:
    wb = Workbook()
    _summary_sheet(wb.active, data)
    for code, title in GROUPS:
        rows = data.criteria[data.criteria.group_code == code]
        ws = wb.create_sheet(code)
        _header(ws, data, f"Nhóm {code}: {title} — điểm theo từng tiêu chí", CRITERION_COLUMNS)
        _rows(ws, rows, CRITERION_COLUMNS, HEADER_ROW + 1)
        _finish(ws, CRITERION_COLUMNS, HEADER_ROW + len(rows))
    _weak_sheet(wb.create_sheet(SHEET_WEAK), data)
    _unrated_sheet(wb.create_sheet(SHEET_UNRATED), data)
    _quality_sheet(wb.create_sheet(SHEET_QUALITY), data)
    # openpyxl stamps the save time; the report is dated by its data instead.
    stamp = pd.Timestamp(data.as_of_date).to_pydatetime()
    wb.properties.creator = "svcindex"
    wb.properties.created = stamp
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _summary_sheet(ws: Worksheet, data: ReportData) -> None:
    ws.title = SHEET_SUMMARY
    columns = summary_columns(data.group_max)
    _header(ws, data, f"Bảng tổng hợp xếp hạng — tháng {month_label(data.month)}", columns)
    row = HEADER_ROW + 1
    for section, rows in data.ranking.groupby("section_order", sort=True):
        _section_row(ws, row, rows.section.iloc[0], len(columns))
        row = _rows(ws, rows, columns, row + 1)
    _finish(ws, columns, row - 1, autofilter=False)


def _weak_sheet(ws: Worksheet, data: ReportData) -> None:
    weak = data.weak.assign(unit_type_vi=data.weak.unit_type.map(UNIT_TYPE_TITLES).fillna(data.weak.unit_type))
    _header(ws, data, f"Đơn vị xếp loại Yếu — tháng {month_label(data.month)}", WEAK_COLUMNS)
    end = _rows(ws, weak, WEAK_COLUMNS, HEADER_ROW + 1)
    if weak.empty:
        ws.cell(HEADER_ROW + 1, 1, "Không có đơn vị nào xếp loại Yếu.")
    _finish(ws, WEAK_COLUMNS, end - 1)


def _unrated_sheet(ws: Worksheet, data: ReportData) -> None:
    """Rulebook §5a: units with no dossier and no PAKN in the month, listed apart, never ranked;
    and, when the extracts cover the month only in part, a line that says so."""
    unrated = data.unrated
    if not unrated.empty:
        unrated = unrated.assign(unit_type_vi=unrated.unit_type.map(UNIT_TYPE_TITLES).fillna(unrated.unit_type))
    _header(ws, data, f"Đơn vị chưa đủ dữ liệu xếp hạng — tháng {month_label(data.month)}", UNRATED_COLUMNS)
    end = _rows(ws, unrated, UNRATED_COLUMNS, HEADER_ROW + 1) if not unrated.empty else HEADER_ROW + 1
    if unrated.empty:
        ws.cell(HEADER_ROW + 1, 1, "Mọi đơn vị đều có hồ sơ hoặc PAKN trong tháng.")
        end = HEADER_ROW + 2
    first, last, complete = data.coverage
    if not complete:
        ws.cell(end + 1, 1, f"Dữ liệu chỉ phủ một phần tháng: từ đêm {first or '—'} đến đêm {last or '—'}; "
                            "không so sánh với tháng khác.")
    _finish(ws, UNRATED_COLUMNS, end - 1)


def _quality_sheet(ws: Worksheet, data: ReportData) -> None:
    """Annex: the quality gate's results, the publication behind the figures, and where a
    criterion was scored by policy (empty denominator, not applicable) rather than by data."""
    ws.cell(1, 1, f"Phụ lục: chất lượng dữ liệu — tháng {month_label(data.month)}").font = Font(bold=True, size=13)
    ws.cell(2, 1, _scope_line(data)).font = Font(italic=True)
    row = _table_block(ws, 4, "Kết quả kiểm tra chất lượng (quality gate)", data.quality,
                       "Tệp công bố không có bảng kết quả kiểm tra chất lượng (quality_results).")
    row = _table_block(ws, row + 1, "Lần công bố", data.publications, "Không có bản ghi công bố cho ngày số liệu này.")
    row = _table_block(ws, row + 1, "Miễn trừ của người vận hành (đêm công bố thiếu tệp bị từ chối)", data.waivers,
                       "Không có miễn trừ nào.")
    _table_block(ws, row + 1, "Tiêu chí chấm theo chính sách (mẫu số bằng 0, không áp dụng)", data.policies,
                 "Không có tiêu chí nào chấm theo chính sách.")
    for i in range(1, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(i)].width = 24 if i > 1 else 20
    ws.freeze_panes = "A4"


def _table_block(ws: Worksheet, row: int, title: str, frame: pd.DataFrame | None, empty_text: str) -> int:
    ws.cell(row, 1, title).font = Font(bold=True)
    row += 1
    if frame is None or frame.empty:
        ws.cell(row, 1, empty_text).font = Font(italic=True)
        return row + 1
    columns: list[Column] = [(ANNEX_HEADERS.get(str(c), str(c)), str(c), None, 0) for c in frame.columns]
    _header_cells(ws, row, columns)
    end = _rows(ws, frame, columns, row + 1)
    if "success" in frame.columns:
        failed = PatternFill("solid", fgColor="F8CBAD")
        col = list(frame.columns).index("success") + 1
        for r in range(row + 1, end):
            if ws.cell(r, col).value is False:
                for c in range(1, len(columns) + 1):
                    ws.cell(r, c).fill = failed
    return end


def _header(ws: Worksheet, data: ReportData, title: str, columns: list[Column]) -> None:
    ws.cell(1, 1, title).font = Font(bold=True, size=13)
    ws.cell(2, 1, _scope_line(data)).font = Font(italic=True)
    _header_cells(ws, HEADER_ROW, columns)


def _header_cells(ws: Worksheet, row: int, columns: list[Column]) -> None:
    for i, (header, *_rest) in enumerate(columns, start=1):
        cell = ws.cell(row, i, header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER


def _section_row(ws: Worksheet, row: int, title: str, width: int) -> None:
    ws.cell(row, 1, title).font = Font(bold=True)
    for c in range(1, width + 1):
        ws.cell(row, c).fill = SECTION_FILL
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _rows(ws: Worksheet, frame: pd.DataFrame, columns: list[Column], first_row: int) -> int:
    """Writes the frame's columns in order; returns the next free row."""
    values = frame[[source for _h, source, _f, _w in columns]].astype(object).where(frame.notna(), None)
    band_col = next((i for i, (_h, source, _f, _w) in enumerate(columns, start=1) if source == "band"), None)
    for r, record in enumerate(values.itertuples(index=False), start=first_row):
        for c, (value, (_h, _s, fmt, _w)) in enumerate(zip(record, columns), start=1):
            cell = ws.cell(r, c, _plain(value))
            cell.border = BORDER
            if fmt:
                cell.number_format = fmt
        if band_col:
            fill, white = band_colour(ws.cell(r, band_col).value)
            cell = ws.cell(r, band_col)
            cell.fill = PatternFill("solid", fgColor=fill)
            cell.font = Font(bold=True, color="FFFFFF" if white else "000000")
    return first_row + len(values)


def _finish(ws: Worksheet, columns: list[Column], last_row: int, *, autofilter: bool = True) -> None:
    for i, (_h, _s, _f, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[HEADER_ROW].height = 48
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    if autofilter and last_row > HEADER_ROW:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{last_row}"


def _plain(value):
    """numpy and pandas scalars → plain Python values openpyxl writes natively."""
    if value is None:
        return None
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _scope_line(data: ReportData) -> str:
    scope = f"Phạm vi: {data.unit_name} ({data.unit}) và các đơn vị trực thuộc" if data.unit else "Phạm vi: toàn quốc"
    return (f"{TITLE}. {LEGAL_BASIS}. {scope}. Số liệu đến ngày {date_label(data.as_of_date)}; "
            f"bộ tiêu chí {data.rule_version}.")


def _fmt_max(value) -> str:
    return "–" if value is None else f"{value:g}"
