"""What the Government Office reads: Vietnamese labels and band colours, shared by xlsx and pdf."""
from __future__ import annotations

# The six portal columns, in portal order; unit_scores carries them as lower-case columns.
GROUPS: tuple[tuple[str, str], ...] = (
    ("CKMB", "Công khai, minh bạch"),
    ("TDGQ", "Tiến độ, kết quả giải quyết"),
    ("CLGQ", "Dịch vụ công trực tuyến"),
    ("TTTT", "Thanh toán trực tuyến"),
    ("MDSH", "Số hóa hồ sơ"),
    ("MDHL", "Mức độ hài lòng"),
)
GROUP_CODES = tuple(code for code, _ in GROUPS)

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

WEAK_BAND = "Yếu"
# Fill colour and whether the text on it must be white, best band first.
BAND_COLOURS: dict[str, tuple[str, bool]] = {
    "Xuất sắc": ("1A9850", True),
    "Tốt": ("91CF60", False),
    "Khá": ("FEE08B", False),
    "Trung bình": ("FC8D59", False),
    "Yếu": ("D73027", True),
}
UNKNOWN_BAND_COLOUR = ("BDBDBD", False)

TITLE = "Chỉ số phục vụ người dân, doanh nghiệp trong thực hiện thủ tục hành chính, dịch vụ công"
LEGAL_BASIS = "Theo Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ"


def band_colour(band: str | None) -> tuple[str, bool]:
    return BAND_COLOURS.get(band or "", UNKNOWN_BAND_COLOUR)


def month_label(month: str) -> str:
    """'2026-10' → '10/2026', how Vietnamese documents write a month."""
    year, mon = month.split("-")
    return f"{mon}/{year}"


def date_label(d) -> str:
    return d.strftime("%d/%m/%Y")
