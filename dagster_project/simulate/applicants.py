"""Realistic fake applicants (personal data in clear, as the portal sends it), as SQL expressions
of the dossier hash `h`, so they are computed only for the rows written."""
from __future__ import annotations

import unicodedata

# Family names repeated roughly in proportion to their frequency (Nguyễn ~38 %).
FAMILY = ["Nguyễn"] * 8 + ["Trần"] * 3 + ["Lê"] * 2 + ["Phạm"] * 2 + [
    "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE_F = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Hồng", "Kim"]
MIDDLE_M = ["Văn", "Văn", "Đức", "Hữu", "Minh", "Quang", "Thành", "Công", "Xuân", "Tiến"]
GIVEN_F = ["An", "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Huyền", "Lan", "Linh",
           "Loan", "Mai", "Nga", "Ngọc", "Nhung", "Phương", "Quyên", "Thảo", "Thủy", "Trang", "Uyên", "Vy", "Yến"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh", "Long", "Minh",
           "Nam", "Phong", "Phúc", "Quân", "Sơn", "Tâm", "Thắng", "Toàn", "Trung", "Tuấn", "Việt", "Vinh"]
HAMLET = ["Thôn", "Tổ dân phố", "Xóm", "Khu phố", "Ấp", "Bản"]
MOBILE_PREFIX = ["3", "5", "7", "8", "9"]


def lit(values: list[str]) -> str:
    return "[" + ", ".join("'" + unicodedata.normalize("NFC", v).replace("'", "''") + "'" for v in values) + "]"


def pick(values: list[str], tag: str) -> str:
    return f"{lit(values)}[1 + floor({len(values)} * rnd(h, '{tag}'))::int]"


def full_name() -> str:
    female = "rnd(h, 'sex') < 0.5"
    return (f"{pick(FAMILY, 'fam')} || ' ' || case when {female} then {pick(MIDDLE_F, 'mid')} || ' ' || {pick(GIVEN_F, 'giv')}"
            f" else {pick(MIDDLE_M, 'mid')} || ' ' || {pick(GIVEN_M, 'giv')} end")


def citizen_id() -> str:
    """12 digits: birth-province code (3), sex/century (1), birth year (2), serial (6)."""
    year = "(1950 + floor(56 * rnd(h, 'born')))::int"
    return ("'0' || case when scope like 'H%' then substr(scope, 2, 2) else lpad(floor(1 + 95 * rnd(h, 'pv'))::int::varchar, 2, '0') end"
            f" || ((rnd(h, 'sex') < 0.5)::int + case when {year} >= 2000 then 2 else 0 end)::varchar"
            f" || lpad(({year} % 100)::varchar, 2, '0') || lpad(floor(1000000 * rnd(h, 'serial'))::bigint::varchar, 6, '0')")


def phone() -> str:
    return f"'0' || {pick(MOBILE_PREFIX, 'tel0')} || lpad(floor(100000000 * rnd(h, 'tel'))::bigint::varchar, 8, '0')"


def address(province_names: list[str]) -> str:
    where = (f"case when place is not null and place <> province_name then place || ', ' || province_name "
             f"else coalesce(province_name, {pick(province_names, 'home')}) end")
    return (f"'Số ' || (1 + floor(200 * rnd(h, 'no')))::int || ', ' || {pick(HAMLET, 'ham')} || ' '"
            f" || (1 + floor(20 * rnd(h, 'hamno')))::int || ', ' || {where}")
