"""What the Government Office reads: Vietnamese labels and band colours, shared by xlsx and pdf."""
from __future__ import annotations

# The groups (portal columns) and their names, and the bands, are rulebook facts: the report reads
# them from the published `criteria` and `bands` tables (ReportData.groups, ReportData.band_names).

BLOCK_TITLES = {"BO": "Bộ, ngành", "TINH": "Tỉnh, thành phố"}
UNIT_TYPE_TITLES = {
    "BO": "Bộ, ngành",
    "TINH": "Tỉnh, thành phố",
    "SO": "Sở, ban, ngành",
    "HUYEN": "Quận, huyện",
    "XA": "Xã, phường, đặc khu",
    "DON_VI": "Đơn vị trực thuộc",
}

# Annex headers for the gate's and the publication log's columns; unknown columns keep their name.
ANNEX_HEADERS = {
    "run_id": "Lần chạy", "checked_at": "Thời điểm kiểm tra", "asset": "Tài sản dữ liệu", "suite": "Bộ kiểm tra",
    "expectation": "Kiểm tra", "column_name": "Cột", "severity": "Mức độ", "success": "Đạt",
    "observed": "Giá trị quan sát", "details": "Chi tiết", "published_at": "Thời điểm công bố",
    "as_of_date": "Số liệu đến ngày", "rule_version": "Bộ tiêu chí", "row_counts": "Số dòng",
    "gate_summary": "Tóm tắt kiểm tra", "criterion_code": "Mã tiêu chí", "policy_applied": "Chính sách áp dụng",
    "units": "Số đơn vị", "source": "Nguồn", "night": "Đêm dữ liệu", "reason": "Lý do",
    "waived_by": "Người miễn trừ", "waived_at": "Thời điểm miễn trừ", "waivers": "Miễn trừ",
}

# Fill colours and whether the text on them must be white, from the best band to the worst; the
# bands themselves (names, how many) come from the published `bands` table.
BAND_PALETTE: tuple[tuple[str, bool], ...] = (
    ("1A9850", True), ("91CF60", False), ("FEE08B", False), ("FC8D59", False), ("D73027", True))
UNKNOWN_BAND_COLOUR = ("BDBDBD", False)

TITLE = "Chỉ số phục vụ người dân, doanh nghiệp trong thực hiện thủ tục hành chính, dịch vụ công"
LEGAL_BASIS = "Theo Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ"


def band_colour(band: str | None, band_names: tuple[str, ...]) -> tuple[str, bool]:
    """The colour of a band by its place among the rule version's bands (best first): the palette
    spread over however many bands there are; a name not among them is grey."""
    if not band or band not in band_names:
        return UNKNOWN_BAND_COLOUR
    i, n = band_names.index(band), len(band_names)
    return BAND_PALETTE[round(i * (len(BAND_PALETTE) - 1) / (n - 1)) if n > 1 else 0]


def month_label(month: str) -> str:
    """'2026-10' → '10/2026', how Vietnamese documents write a month."""
    year, mon = month.split("-")
    return f"{mon}/{year}"


def official_date(d) -> str:
    """'ngày 05 tháng 11 năm 2026' (Decree 30: a day below 10 and the months 1 and 2 take a leading zero)."""
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def vn_number(value, decimals: int = 2, *, signed: bool = False) -> str:
    """64.7612 → '64,76'; 12345 → '12.345' (Vietnamese: ',' for decimals, '.' for thousands).
    None or NaN → '–'."""
    if value is None or value != value:
        return "–"
    text = f"{value:{'+' if signed else ''},.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_percent(ratio, decimals: int = 1) -> str:
    return "–" if ratio is None or ratio != ratio else vn_number(100 * ratio, decimals) + " %"


# How the workbook and PDF name the rulebook's policies and curves.
POLICY_LABELS = {
    "empty_full": "Mẫu số bằng 0: tính đủ điểm",
    "empty_zero": "Mẫu số bằng 0: tính 0 điểm",
    "empty_redistribute": "Mẫu số bằng 0: chia điểm cho tiêu chí khác",
    "empty_previous_year": "Mẫu số bằng 0: theo số liệu năm trước",
    "not_applicable": "Không áp dụng cho cấp này",
    "not_applicable_full": "Không áp dụng cho cấp này: tính đủ điểm",
    "inherited": "Kế thừa từ đơn vị cấp trên",
    "full": "tính đủ điểm",
    "zero": "tính 0 điểm",
    "redistribute": "chia điểm cho tiêu chí khác",
    "exclude": "loại khỏi mẫu số",
}
CURVE_LABELS = {"linear": "Tỷ lệ thuận", "target": "Đạt mục tiêu {target}", "display": "Chỉ theo dõi",
                "display_only": "Chỉ theo dõi", "tracking": "Chỉ theo dõi"}
EVIDENCE_LABELS = {"V": "Đã đối chiếu", "I": "Suy luận [I]"}
SEVERITY_LABELS = {"blocking": "Chặn công bố", "warning": "Cảnh báo", "critical": "Chặn công bố"}
SUCCESS_LABELS = {True: "Đạt", False: "Không đạt"}

# Great Expectations' expectation types, in words an official reads.
EXPECTATION_LABELS = {
    "expect_column_pair_values_a_to_be_greater_than_b": "Giá trị cột thứ nhất không nhỏ hơn cột thứ hai",
    "expect_column_pair_values_to_be_equal": "Hai cột bằng nhau",
    "expect_column_values_to_be_between": "Giá trị trong khoảng cho phép",
    "expect_column_values_to_be_in_set": "Giá trị thuộc danh mục",
    "expect_column_values_to_be_of_type": "Đúng kiểu dữ liệu",
    "expect_column_values_to_match_regex": "Đúng định dạng",
    "expect_column_values_to_not_be_null": "Không để trống",
    "expect_compound_columns_to_be_unique": "Không trùng khóa",
    "expect_table_columns_to_match_set": "Đủ và đúng các cột",
    "expect_table_row_count_to_be_between": "Số dòng trong khoảng cho phép",
    "row_count_drop_vs_previous_night": "Số dòng giảm so với đêm trước",
    "total_equals_sum_of_rounded_groups": "Tổng điểm bằng tổng các nhóm đã làm tròn",
}


def policy_label(code) -> str | None:
    if code is None or code != code or code == "":
        return None
    return POLICY_LABELS.get(str(code), str(code).replace("_", " "))


def expectation_label(code: str) -> str:
    return EXPECTATION_LABELS.get(code, code.removeprefix("expect_").replace("_", " "))


def suite_label(suite: str) -> str:
    """ingest_files → 'Tệp nhận trong đêm'; dvcqg_hoso_batch → 'Bản ghi nhận: dvcqg_hoso'; unit_scores → 'Điểm đơn vị'."""
    known = {"ingest_files": "Tệp trích xuất nhận trong đêm", "unit_scores": "Điểm đơn vị",
             "group_scores": "Điểm nhóm", "criterion_scores": "Điểm tiêu chí", "fct_unit_scores": "Điểm đơn vị"}
    if suite in known:
        return known[suite]
    if suite.endswith("_batch"):
        return f"Bản ghi nhận của nguồn {suite.removesuffix('_batch')}"
    return suite
