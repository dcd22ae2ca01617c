"""The Excel workbook: ranking, one sheet per group, the units below each ministry and province,
units rated Yếu, data-quality annex. Every label is Vietnamese (codes of the rulebook, the quality
gate and booleans are written out), every sheet prints landscape on A4, fitted to the page width,
with its title and header rows repeated on each page."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .config import ReportConfig
from .data import ReportData
from .labels import (ANNEX_HEADERS, SEVERITY_LABELS, SUCCESS_LABELS, TITLE, UNIT_TYPE_TITLES,
                     expectation_label, month_label, policy_label, suite_label, vn_number)

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
SHEET_DEPARTMENTS, SHEET_COMMUNES = "Sở, ban, ngành", "Xã, phường"
SHEET_SYNC, SHEET_SYNC_DOSSIERS = "Chưa đồng bộ", "Hồ sơ chưa đồng bộ"
SHEET_IMPROVE = "Cải thiện"
# Excel's last row: openpyxl refuses a row past it. A national year's sync gaps can be more dossiers
# than a sheet holds (1.95 M on the simulated year of bench/bench_year_night.py); see _fit_sheet.
SHEET_ROWS = 1_048_576

# (header, source column, number format, width)
Column = tuple[str, str, str | None, int]


def summary_columns(data: ReportData) -> list[Column]:
    groups = [(f"{code}\n{title}\n({_fmt_max(data.group_max.get(code))} điểm)", code.lower(), SCORE, 14)
              for code, title in data.groups]
    return [("Hạng", "rank", "0", 7), ("Mã đơn vị", "unit_code", None, 12), ("Tên đơn vị", "unit_name", None, 36),
            *groups, ("Tổng điểm", "total", SCORE, 11), ("Xếp loại", "band", None, 13),
            ("Thay đổi so với tháng trước", "total_change", CHANGE, 14)]


CRITERION_COLUMNS: list[Column] = [
    ("Hạng", "rank", "0", 7), ("Mã đơn vị", "unit_code", None, 12), ("Tên đơn vị", "unit_name", None, 34),
    ("Mã tiêu chí", "criterion_code", None, 11), ("Tiêu chí", "name_vi", None, 48),
    ("Tử số", "numerator", COUNT, 12), ("Mẫu số", "denominator", COUNT, 12), ("Tỷ lệ", "ratio", RATIO, 10),
    ("Điểm", "points", SCORE, 9), ("Điểm tối đa", "max_points", SCORE, 10),
    ("Cách chấm", "policy_vi", None, 30),
]

# issue 15: the sync-gap annex (per province) and one unit's improvement page
SYNC_UNIT_COLUMNS: list[Column] = [
    ("Mã đơn vị", "unit_code", None, 12), ("Tên đơn vị", "unit_name", None, 40), ("Cấp", "unit_type_vi", None, 18),
    ("Hồ sơ tiếp nhận tại hệ thống một cửa (đủ N ngày)", "agency_received", COUNT, 16),
    ("Số hồ sơ chưa đồng bộ", "gap_dossiers", COUNT, 12), ("Tỷ lệ chưa đồng bộ", "gap_share", RATIO, 11),
    ("Hồ sơ cũ nhất tiếp nhận ngày", "oldest_received_date", "dd/mm/yyyy", 13),
    ("Số ngày làm việc", "oldest_age_working_days", "0", 10), ("Vượt ngưỡng cảnh báo", "above_warn_share", None, 11),
]
SYNC_DOSSIER_COLUMNS: list[Column] = [
    ("Tỉnh", "province_code", None, 8), ("Mã đơn vị", "unit_code", None, 12), ("Tên đơn vị", "unit_name", None, 36),
    ("Mã hồ sơ", "dossier_code", None, 24), ("Mã TTHC", "procedure_code", None, 12),
    ("Ngày tiếp nhận", "received_date", "dd/mm/yyyy", 12), ("Số ngày làm việc chưa đồng bộ", "age_working_days", "0", 12),
    ("Hệ thống một cửa", "source_system", None, 12),
]
AT_RISK_COLUMNS: list[Column] = [
    ("Mã đơn vị", "unit_code", None, 12), ("Tên đơn vị", "unit_name", None, 30), ("Mã hồ sơ", "dossier_code", None, 24),
    ("Mã TTHC", "procedure_code", None, 12), ("Tên TTHC", "procedure_name", None, 40),
    ("Ngày tiếp nhận", "received_date", "dd/mm/yyyy", 12), ("Hạn trả", "due_date", "dd/mm/yyyy", 12),
    ("Số ngày làm việc còn lại", "working_days_left", "0", 10),
]
STAKE_COLUMNS: list[Column] = [
    ("Mã tiêu chí", "criterion_code", None, 11), ("Tiêu chí", "name_vi", None, 44),
    ("Tử số", "numerator", COUNT, 10), ("Mẫu số", "denominator", COUNT, 10), ("Tỷ lệ", "ratio", RATIO, 9),
    ("Điểm", "points", SCORE, 8), ("Điểm tối đa", "max_points", SCORE, 9),
    ("Hồ sơ sắp đến hạn", "events_at_risk", COUNT, 10), ("Điểm giữ được nếu đúng hạn", "points_at_stake", SCORE, 12),
    ("Cần thêm để đạt chỉ tiêu", "events_to_target", COUNT, 12), ("Cần thêm để lên hạng", "events_to_next_band", COUNT, 12),
]

def weak_columns(data: ReportData) -> list[Column]:
    return [
        ("Mã đơn vị", "unit_code", None, 12), ("Tên đơn vị", "unit_name", None, 36), ("Cấp", "unit_type_vi", None, 18),
        ("Đơn vị cấp trên", "parent_name", None, 28), ("Tổng điểm", "total", SCORE, 11), ("Xếp loại", "band", None, 12),
        ("Thay đổi so với tháng trước", "total_change", CHANGE, 14),
        *[(code, code.lower(), SCORE, 9) for code in data.group_codes],
    ]


def sub_unit_columns(data: ReportData) -> list[Column]:
    return [
        ("Bộ, ngành / tỉnh, thành phố", "top_name", None, 30), ("Mã đơn vị", "unit_code", None, 14),
        ("Tên đơn vị", "unit_name", None, 40), ("Cấp", "unit_type_vi", None, 18),
        ("Hạng trong đơn vị cấp trên", "rank_in_parent", "0", 10),
        *[(f"{code}\n{title}", code.lower(), SCORE, 12) for code, title in data.groups],
        ("Tổng điểm", "total", SCORE, 10), ("Xếp loại", "band", None, 12),
        ("Thay đổi so với tháng trước", "total_change", CHANGE, 12),
    ]


def write_workbook(data: ReportData, path: Path, config: ReportConfig | None = None) -> Path:
    wb = Workbook()
    _summary_sheet(wb.active, data)
    criteria = data.criteria.assign(policy_vi=data.criteria.policy_applied.map(policy_label))
    for code, title in data.groups:
        rows = criteria[criteria.group_code == code]
        ws = wb.create_sheet(code)
        _header(ws, data, f"Nhóm {code}: {title} — điểm theo từng tiêu chí", CRITERION_COLUMNS)
        _rows(ws, rows, CRITERION_COLUMNS, HEADER_ROW + 1)
        _finish(ws, CRITERION_COLUMNS, HEADER_ROW + len(rows))
    if not data.unit and not data.sub_units.empty:
        for title, levels in ((SHEET_DEPARTMENTS, ("SO", "HUYEN", "DON_VI")), (SHEET_COMMUNES, ("XA",))):
            units = data.below[data.below.unit_type.isin(levels)]
            if not units.empty:
                _sub_unit_sheet(wb.create_sheet(title), data, units, title)
    if data.unit:
        _improvement_sheet(wb.create_sheet(SHEET_IMPROVE), data)
    _weak_sheet(wb.create_sheet(SHEET_WEAK), data)
    _unrated_sheet(wb.create_sheet(SHEET_UNRATED), data)
    _sync_sheets(wb.create_sheet(SHEET_SYNC), wb.create_sheet(SHEET_SYNC_DOSSIERS), data)
    _quality_sheet(wb.create_sheet(SHEET_QUALITY), data)
    for ws in wb.worksheets:
        _print_setup(ws, data)
    # openpyxl stamps the save time; the report is dated by its data instead.
    stamp = pd.Timestamp(data.as_of_date).to_pydatetime()
    props = wb.properties
    props.title = f"Báo cáo Chỉ số phục vụ người dân, doanh nghiệp tháng {month_label(data.month)}" + (
        f" — {data.unit_name}" if data.unit else "")
    props.subject = TITLE
    props.creator = config.issuer_in_text if config else "svcindex"
    props.lastModifiedBy = "svcindex"
    props.keywords = f"Quyết định 766/QĐ-TTg; chỉ số phục vụ; {month_label(data.month)}; bộ tiêu chí {data.rule_version}"
    props.description = _scope_line(data)
    props.category = "Báo cáo"
    props.language = "vi-VN"
    props.created = stamp
    props.modified = stamp
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _summary_sheet(ws: Worksheet, data: ReportData) -> None:
    ws.title = SHEET_SUMMARY
    columns = summary_columns(data)
    _header(ws, data, f"Bảng tổng hợp xếp hạng — tháng {month_label(data.month)}", columns)
    row = HEADER_ROW + 1
    for section, rows in data.ranking.groupby("section_order", sort=True):
        _section_row(ws, row, rows.section.iloc[0], len(columns))
        row = _rows(ws, rows, columns, row + 1, data.band_colour)
    _finish(ws, columns, row - 1, autofilter=False)


def _sub_unit_sheet(ws: Worksheet, data: ReportData, units: pd.DataFrame, title: str) -> None:
    """Every department (commune) under each ministry and province, grouped by it, ranked inside it."""
    units = units.assign(unit_type_vi=units.unit_type.map(UNIT_TYPE_TITLES).fillna(units.unit_type))
    columns = sub_unit_columns(data)
    _header(ws, data, f"{title}: điểm từng đơn vị — tháng {month_label(data.month)}", columns)
    end = _rows(ws, units, columns, HEADER_ROW + 1, data.band_colour)
    _finish(ws, columns, end - 1)


def _print_setup(ws: Worksheet, data: ReportData) -> None:
    """A4 landscape, fitted to one page wide (as many pages tall as needed), title and header rows
    on every page, page numbers in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_title_rows = f"1:{HEADER_ROW}" if ws.title != SHEET_QUALITY else "1:2"
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.left.text = f"Chỉ số phục vụ tháng {month_label(data.month)}"
    ws.oddFooter.right.text = "&A"


def _sync_sheets(ws: Worksheet, dossiers_ws: Worksheet, data: ReportData) -> None:
    """Annex per province: the units whose agency-received dossiers have not reached the portal
    after N working days (the province's own row first), then every such dossier."""
    units = data.sync_gap_units
    _header(ws, data, f"Phụ lục: hồ sơ chưa đồng bộ lên Cổng DVCQG — đến ngày {data.as_of_date:%d/%m/%Y}",
            SYNC_UNIT_COLUMNS)
    row = HEADER_ROW + 1
    if units.empty:
        ws.cell(row, 1, "Không có hồ sơ nào chưa đồng bộ quá thời hạn (hoặc tệp công bố không có số liệu này).")
        row += 1
    else:
        units = units.assign(unit_type_vi=units.unit_type.map(UNIT_TYPE_TITLES).fillna(units.unit_type))
        for code, rows in units.groupby("province_code", sort=True):
            name = rows.province_name.iloc[0] or code
            # the province's own row counts its whole tree; without it (a scoped report) sum the rows
            own = rows[rows.unit_code == code]
            total = int(own.gap_dossiers.iloc[0]) if not own.empty else int(rows.gap_dossiers.sum())
            _section_row(ws, row, f"{name}: {vn_number(total, 0)} hồ sơ chưa đồng bộ", len(SYNC_UNIT_COLUMNS))
            row = _rows(ws, rows, SYNC_UNIT_COLUMNS, row + 1)
    _finish(ws, SYNC_UNIT_COLUMNS, row - 1, autofilter=False)
    gaps = _fit_sheet(data.sync_gap_dossiers, SHEET_ROWS - HEADER_ROW)
    _header(dossiers_ws, data, f"Phụ lục: danh sách hồ sơ chưa đồng bộ — đến ngày {data.as_of_date:%d/%m/%Y}",
            SYNC_DOSSIER_COLUMNS)
    if len(gaps) < len(data.sync_gap_dossiers):
        dossiers_ws.cell(3, 1, _fitted_note(gaps, data.sync_gap_dossiers)).font = Font(italic=True, bold=True)
    end = _rows(dossiers_ws, gaps, SYNC_DOSSIER_COLUMNS, HEADER_ROW + 1) if not gaps.empty else HEADER_ROW + 1
    if gaps.empty:
        dossiers_ws.cell(HEADER_ROW + 1, 1, "Không có hồ sơ nào.")
    _finish(dossiers_ws, SYNC_DOSSIER_COLUMNS, end - 1)


def _fit_sheet(gaps: pd.DataFrame, room: int) -> pd.DataFrame:
    """At most `room` of the gap dossiers (ordered by province, oldest first): when they do not all
    fit, every province keeps its oldest ones, the same number k for each (all of those with fewer),
    k the largest that fits. The published table sync_gaps keeps the whole list."""
    if len(gaps) <= room:
        return gaps
    sizes = sorted(gaps.groupby("province_code").size())
    k, left = 0, room
    for i, size in enumerate(sizes):
        if size * (len(sizes) - i) > left:  # the rest cannot all keep `size`: share what is left
            k = left // (len(sizes) - i)
            break
        left -= size
    return gaps.groupby("province_code", sort=False).head(k)


def _fitted_note(listed: pd.DataFrame, gaps: pd.DataFrame) -> str:
    cap = int(listed.groupby("province_code").size().max()) if not listed.empty else 0
    return (f"Liệt kê {vn_number(len(listed), 0)} trong {vn_number(len(gaps), 0)} hồ sơ (một trang tính Excel chứa tối đa "
            f"{vn_number(SHEET_ROWS, 0)} dòng): mỗi tỉnh, bộ tối đa {vn_number(cap, 0)} hồ sơ chưa đồng bộ lâu nhất. "
            "Danh sách đầy đủ: bảng sync_gaps của tệp công bố.")


def _improvement_sheet(ws: Worksheet, data: ReportData) -> None:
    """One unit's page: what it can gain this month — the points at stake per criterion, its
    dossiers due in the next working days, and its dossiers missing from the portal."""
    _header(ws, data, f"Cải thiện điểm: {data.unit_name} ({data.unit}) — tháng {month_label(data.month)}",
            STAKE_COLUMNS)
    row = _rows(ws, data.stake, STAKE_COLUMNS, HEADER_ROW + 1) if not data.stake.empty else HEADER_ROW + 1
    if data.stake.empty:
        ws.cell(row, 1, "Không có số liệu điểm có thể giữ được cho ngày số liệu này.")
        row += 1
    ws.cell(row + 1, 1, f"Hồ sơ sắp đến hạn ({len(data.at_risk)})").font = Font(bold=True)
    _header_cells(ws, row + 2, AT_RISK_COLUMNS)
    row = _rows(ws, data.at_risk, AT_RISK_COLUMNS, row + 3) if not data.at_risk.empty else row + 3
    gaps = _fit_sheet(data.sync_gap_dossiers, SHEET_ROWS - (row + 2))
    title = f"Hồ sơ chưa đồng bộ lên Cổng DVCQG ({len(data.sync_gap_dossiers)})"
    if len(gaps) < len(data.sync_gap_dossiers):
        title += ". " + _fitted_note(gaps, data.sync_gap_dossiers)
    ws.cell(row + 1, 1, title).font = Font(bold=True)
    _header_cells(ws, row + 2, SYNC_DOSSIER_COLUMNS)
    if not gaps.empty:  # a file published before these tables existed has none
        _rows(ws, gaps, SYNC_DOSSIER_COLUMNS, row + 3)
    for i, (_h, _s, _f, width) in enumerate(STAKE_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(width, 14)
    ws.row_dimensions[HEADER_ROW].height = 48
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)


def _weak_sheet(ws: Worksheet, data: ReportData) -> None:
    weak = data.weak.assign(unit_type_vi=data.weak.unit_type.map(UNIT_TYPE_TITLES).fillna(data.weak.unit_type))
    columns = weak_columns(data)
    _header(ws, data, f"Đơn vị xếp loại {data.weak_band} — tháng {month_label(data.month)}", columns)
    end = _rows(ws, weak, columns, HEADER_ROW + 1, data.band_colour)
    if weak.empty:
        ws.cell(HEADER_ROW + 1, 1, f"Không có đơn vị nào xếp loại {data.weak_band}.")
    _finish(ws, columns, end - 1)


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
    cov = data.coverage or {}
    if cov.get("incomplete_units"):
        ws.cell(end + 1, 1, f"Dữ liệu chỉ phủ một phần tháng: từ đêm {cov.get('first_night') or '—'} "
                            f"đến đêm {cov.get('last_night') or '—'}; không so sánh với tháng khác.")
    _finish(ws, UNRATED_COLUMNS, end - 1)


def _quality_sheet(ws: Worksheet, data: ReportData) -> None:
    """Annex: the quality gate's results, the publication behind the figures, and where a
    criterion was scored by policy (empty denominator, not applicable) rather than by data."""
    ws.cell(1, 1, f"Phụ lục: chất lượng dữ liệu — tháng {month_label(data.month)}").font = Font(bold=True, size=13)
    ws.cell(2, 1, _scope_line(data)).font = Font(italic=True)
    row = _table_block(ws, 4, "Kết quả kiểm tra chất lượng trước khi công bố", _quality_vi(data.quality),
                       "Tệp công bố không có bảng kết quả kiểm tra chất lượng.")
    row = _table_block(ws, row + 1, "Lần công bố", _publications_vi(data.publications),
                       "Không có bản ghi công bố cho ngày số liệu này.")
    policies = data.policies.assign(policy_applied=data.policies.policy_applied.map(policy_label))
    row = _table_block(ws, row + 1, "Tiêu chí chấm theo quy tắc (mẫu số bằng 0, không áp dụng, kế thừa)", policies,
                       "Không có tiêu chí nào chấm theo quy tắc.")
    if data.waivers is None:
        ws.cell(row + 1, 1, "Miễn trừ").font = Font(bold=True)
        ws.cell(row + 2, 1, "Tệp công bố không có bảng miễn trừ: không ghi nhận miễn trừ nào.").font = Font(italic=True)
    else:
        _table_block(ws, row + 1, "Miễn trừ đã áp dụng", data.waivers, "Không có đêm trích xuất nào được miễn trừ.")
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
            if ws.cell(r, col).value == SUCCESS_LABELS[False]:
                for c in range(1, len(columns) + 1):
                    ws.cell(r, c).fill = failed
    return end


def _quality_vi(quality: pd.DataFrame | None) -> pd.DataFrame | None:
    """The gate's outcomes in words: the check described, not GE's expectation type; Đạt / Không đạt."""
    if quality is None:
        return None
    out = quality.copy()
    if "expectation" in out:
        out["expectation"] = out.expectation.map(expectation_label)
    if "suite" in out:
        out["suite"] = out.suite.map(suite_label)
    if "asset" in out:
        out = out.drop(columns="asset")
    if "severity" in out:
        out["severity"] = out.severity.map(lambda v: SEVERITY_LABELS.get(v, v))
    if "success" in out:
        out["success"] = out.success.map(lambda v: SUCCESS_LABELS[bool(v)])
    return out


def _publications_vi(log: pd.DataFrame) -> pd.DataFrame:
    """row_counts and gate_summary are JSON: written out as 'bảng: số dòng' and counts of results."""
    if log.empty:
        return log
    out = log.copy()
    if "row_counts" in out:
        out["row_counts"] = out.row_counts.map(
            lambda v: "; ".join(f"{TABLE_LABELS.get(k, k)}: {n:,}".replace(",", ".") for k, n in _json(v).items()))
    if "gate_summary" in out:
        def gate(v) -> str:
            results = list(_json(v).values())
            return (f"{results.count('pass')} đạt, {sum(r.startswith('warning') for r in results)} cảnh báo, "
                    f"{sum(r.startswith('blocking') for r in results)} lỗi chặn")
        out["gate_summary"] = out.gate_summary.map(gate)
    return out


TABLE_LABELS = {"unit_scores": "Điểm đơn vị", "group_scores": "Điểm nhóm", "criterion_scores": "Điểm tiêu chí",
                "criteria": "Bộ tiêu chí", "bands": "Xếp loại", "units": "Đơn vị", "dossier_criteria": "Hồ sơ theo tiêu chí",
                "unit_ancestors": "Quan hệ cấp trên"}


def _json(value) -> dict:
    if isinstance(value, dict):
        return value
    try:
        return json.loads(value) if value else {}
    except (TypeError, ValueError):
        return {}


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


def _cell_style(ws: Worksheet, fmt: str | None, band_fill: str | None = None, white: bool = False) -> str:
    """The named style of a table cell: thin borders, the column's number format and, for a band
    cell, the band's fill in bold; added to the workbook once. A cell then takes a copy of it:
    assigning a Border, a format, a fill and a font to each cell made openpyxl hash each of them
    every time (most of a national report's workbook time: a month's sync-gap sheet alone holds
    tens of thousands of dossiers)."""
    name = f"svcindex {fmt or 'General'}" + (f" {band_fill} {'white' if white else 'black'}" if band_fill else "")
    if name not in ws.parent.named_styles:
        band = {"fill": PatternFill("solid", fgColor=band_fill),
                "font": Font(bold=True, color="FFFFFF" if white else "000000")} if band_fill else {}
        ws.parent.add_named_style(NamedStyle(name=name, border=BORDER, number_format=fmt or "General", **band))
    return name


def _rows(ws: Worksheet, frame: pd.DataFrame, columns: list[Column], first_row: int, band_colour=None) -> int:
    """Writes the frame's columns in order, a band cell filled with band_colour(band); returns the next free row."""
    values = frame[[source for _h, source, _f, _w in columns]].astype(object).where(frame.notna(), None)
    band_col = band_colour and next((i for i, (_h, source, _f, _w) in enumerate(columns, start=1) if source == "band"), None)
    styles = [_cell_style(ws, fmt) for _h, _s, fmt, _w in columns]
    for r, record in enumerate(values.itertuples(index=False), start=first_row):
        for c, (value, style) in enumerate(zip(record, styles), start=1):
            ws.cell(r, c, _plain(value)).style = style
        if band_col:
            cell = ws.cell(r, band_col)
            cell.style = _cell_style(ws, columns[band_col - 1][2], *band_colour(cell.value))
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
        value = value.item()
    if isinstance(value, bool):  # Excel would show TRUE/FALSE
        return "Có" if value else "Không"
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _scope_line(data: ReportData) -> str:
    return (f"{TITLE}. {data.scope_line()}. Số liệu đến ngày {data.as_of_date:%d/%m/%Y}; "
            f"bộ tiêu chí {data.rule_version}.")


def _fmt_max(value) -> str:
    return "–" if value is None else f"{value:g}"
