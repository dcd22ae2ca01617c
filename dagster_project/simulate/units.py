"""The unit directory: the real post-July-2025 map plus departments and ministries.

Provinces and communes come from `vietnam-provinces` (34 provinces, 3,321 communes), coded by
`unit_codes` (Phú Thọ is H44, which the tests and the published figures rely on).

This is reference data (a few thousand rows), built once per run; dossiers are never looped over.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

import pandas as pd
from vietnam_provinces import Province, Ward

from ..unit_codes import legacy_province_codes, legacy_unit_code, province_codes

# Departments every province has (sở, ban, ngành after the 2025 restructuring), with the index
# (1-based, into MINISTRIES) of the ministry that announces the procedures they handle.
CORE_DEPARTMENTS: list[tuple[str, int]] = [
    ("Văn phòng Ủy ban nhân dân", 18),
    ("Sở Nội vụ", 4),
    ("Sở Tài chính", 6),
    ("Sở Tư pháp", 5),
    ("Sở Xây dựng", 9),
    ("Sở Công Thương", 7),
    ("Sở Nông nghiệp và Môi trường", 8),
    ("Sở Giáo dục và Đào tạo", 12),
    ("Sở Y tế", 13),
    ("Sở Khoa học và Công nghệ", 11),
    ("Sở Văn hóa, Thể thao và Du lịch", 10),
    ("Sở Dân tộc và Tôn giáo", 14),
    ("Thanh tra", 16),
    ("Công an", 1),
    ("Trung tâm Phục vụ hành chính công", 18),
]
# Some provinces have a few more; which ones is seeded by the province code.
EXTRA_DEPARTMENTS: list[tuple[str, int]] = [
    ("Sở Ngoại vụ", 3),
    ("Sở Du lịch", 10),
    ("Ban Quản lý các khu công nghiệp", 6),
    ("Ban Quản lý khu kinh tế", 6),
    ("Ban Dân tộc", 14),
]
# Relative dossier volume of each core department (Tư pháp and Công an carry the most).
CORE_DEPARTMENT_WEIGHT = [0.3, 0.6, 1.0, 3.0, 1.5, 1.0, 2.5, 0.8, 1.2, 0.6, 0.7, 0.3, 0.2, 2.5, 1.0]

# Ministries and central agencies (G01…), each with a few units handling dossiers, and the
# relative dossier volume of the ministry.
MINISTRIES: list[tuple[str, float, list[str]]] = [
    ("Bộ Công an", 3.0, ["Cục Quản lý xuất nhập cảnh", "Cục Cảnh sát giao thông", "Cục Cảnh sát quản lý hành chính về trật tự xã hội"]),
    ("Bộ Quốc phòng", 0.3, ["Cục Quân lực", "Cục Chính sách"]),
    ("Bộ Ngoại giao", 0.5, ["Cục Lãnh sự", "Cục Lễ tân Nhà nước"]),
    ("Bộ Nội vụ", 0.6, ["Cục Việc làm", "Cục Quản lý lao động ngoài nước", "Cục Người có công"]),
    ("Bộ Tư pháp", 0.8, ["Cục Hộ tịch, quốc tịch, chứng thực", "Cục Lý lịch tư pháp", "Cục Đăng ký quốc gia giao dịch bảo đảm"]),
    ("Bộ Tài chính", 2.0, ["Cục Thuế", "Cục Hải quan", "Cục Đăng ký kinh doanh"]),
    ("Bộ Công Thương", 1.0, ["Cục Xuất nhập khẩu", "Cục Hóa chất", "Cục Điều tiết điện lực"]),
    ("Bộ Nông nghiệp và Môi trường", 1.0, ["Cục Trồng trọt và Bảo vệ thực vật", "Cục Chăn nuôi và Thú y", "Cục Quản lý đất đai"]),
    ("Bộ Xây dựng", 1.0, ["Cục Đường bộ Việt Nam", "Cục Hàng hải và Đường thủy Việt Nam", "Cục Hàng không Việt Nam"]),
    ("Bộ Văn hóa, Thể thao và Du lịch", 0.4, ["Cục Du lịch Quốc gia Việt Nam", "Cục Nghệ thuật biểu diễn"]),
    ("Bộ Khoa học và Công nghệ", 0.6, ["Cục Sở hữu trí tuệ", "Cục Viễn thông", "Cục Tần số vô tuyến điện"]),
    ("Bảo hiểm xã hội Việt Nam", 4.0, ["Ban Thu", "Ban Thực hiện chính sách bảo hiểm xã hội", "Ban Thực hiện chính sách bảo hiểm y tế"]),
    ("Bộ Y tế", 0.8, ["Cục Quản lý Dược", "Cục Quản lý Khám, chữa bệnh", "Cục An toàn thực phẩm"]),
    ("Bộ Giáo dục và Đào tạo", 0.5, ["Cục Quản lý chất lượng", "Cục Hợp tác quốc tế"]),
    ("Bộ Dân tộc và Tôn giáo", 0.1, ["Ban Tôn giáo Chính phủ", "Vụ Chính sách dân tộc"]),
    ("Thanh tra Chính phủ", 0.1, ["Cục Giải quyết khiếu nại, tố cáo", "Cục Phòng, chống tham nhũng"]),
    ("Ngân hàng Nhà nước Việt Nam", 0.3, ["Cục Quản lý ngoại hối", "Cục Phát hành và Kho quỹ"]),
    ("Văn phòng Chính phủ", 0.1, ["Cục Kiểm soát thủ tục hành chính", "Vụ Tổng hợp"]),
    ("Tập đoàn Điện lực Việt Nam", 1.5, ["Tổng công ty Điện lực miền Bắc", "Tổng công ty Điện lực miền Trung", "Tổng công ty Điện lực miền Nam"]),
    ("Bộ Quốc phòng - Bộ Tư lệnh Cảnh sát biển", 0.05, ["Cục Nghiệp vụ và Pháp luật"]),
]

# Cities carry more dossiers than their commune count alone suggests.
PROVINCE_VOLUME = {"ha_noi": 2.0, "ho_chi_minh": 2.2, "hai_phong": 1.3, "da_nang": 1.3, "can_tho": 1.1}
EFFECTIVE_FROM = "20250701000000"


def _u(*parts: object) -> float:
    """A seeded uniform in [0,1) for reference data (stable across runs and machines)."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@lru_cache(maxsize=4)
def directory(seed: int) -> pd.DataFrame:
    """Every unit of the national map. Columns: code, name, kind, parent, scope, madinhdanh, slot,
    ministry (announcing ministry index for departments), weight (relative dossier volume),
    system (agency one-stop-shop vendor), place (name used in applicants' addresses), province_name."""
    codes = province_codes()
    wards_by_province: dict[int, list] = {}
    for w in Ward.iter_all():
        wards_by_province.setdefault(w.province_code.value, []).append(w)
    rows: list[dict] = []
    for p in Province.iter_all():
        pc = codes[p.codename]
        pname = p.name
        plabel = pname if pname.startswith("Thành phố") else f"tỉnh {pname}"
        system = "vnpt" if int(pc[1:]) % 2 == 0 else "viettel"
        base = dict(scope=pc, system=system, province_name=pname)
        rows.append(dict(base, code=pc, name=f"UBND {plabel}",
                         kind="TINH", parent=None, madinhdanh=f"000.00.00.{pc}", slot=0, ministry=None,
                         weight=0.0, place=pname))
        depts = list(CORE_DEPARTMENTS) + [d for j, d in enumerate(EXTRA_DEPARTMENTS) if _u(seed, pc, "extra", j) < 0.45]
        for i, (dname, ministry) in enumerate(depts, start=1):
            w = CORE_DEPARTMENT_WEIGHT[i - 1] if i <= len(CORE_DEPARTMENT_WEIGHT) else 0.3
            rows.append(dict(base, code=f"{pc}.{i:02d}", name=f"{dname} {plabel}",
                             kind="SO", parent=pc, madinhdanh=f"000.00.{i:02d}.{pc}", slot=i, ministry=ministry,
                             weight=w * 4.0 * PROVINCE_VOLUME.get(p.codename, 1.0), place=pname))
        wards = sorted(wards_by_province[p.code.value], key=lambda w: w.code.value)
        for i, w in enumerate(wards, start=100):
            urban = 1.8 if w.division_type.value == "phường" else 1.0
            size = (0.35 + 1.65 * _u(seed, "size", w.code.value) ** 2) * urban * PROVINCE_VOLUME.get(p.codename, 1.0)
            rows.append(dict(base, code=f"{pc}.{i}", name="UBND " + w.name[0].lower() + w.name[1:], kind="XA", parent=pc,
                             madinhdanh=f"000.{i}.00.{pc}", slot=0, ministry=None, weight=size, place=w.name))
    for m, (mname, mweight, units) in enumerate(MINISTRIES, start=1):
        gc = f"G{m:02d}"
        system = "vnpt" if m % 2 == 0 else "viettel"
        base = dict(scope=gc, system=system, province_name=None, place=None, ministry=m)
        rows.append(dict(base, code=gc, name=mname, kind="BO", parent=None, madinhdanh=f"000.00.00.{gc}", slot=0, weight=0.0))
        for i, uname in enumerate(units, start=1):
            rows.append(dict(base, code=f"{gc}.{i:02d}", name=uname, kind="DON_VI", parent=gc,
                             madinhdanh=f"000.00.{i:02d}.{gc}", slot=0, weight=mweight * 60.0 / len(units)))
    df = pd.DataFrame(rows)
    # validity (dvcqg_coquan HieuLucTu/HieuLucDen): the post-reform map from 1 July 2025
    # (communes from 1 July 2025; a province, and its departments, existed before under the same
    # code: each new province kept the code of the old province whose name it kept)
    df["valid_from"] = pd.Timestamp(REFORM_DATE).date()
    df.loc[df.kind.isin(["TINH", "SO"]), "valid_from"] = pd.Timestamp(LEGACY_FROM).date()
    df.loc[df.kind.isin(["BO", "DON_VI"]), "valid_from"] = pd.Timestamp("2025-03-01").date()
    df["valid_to"] = None
    df["new_scope"] = df["scope"]
    df = pd.concat([df, _legacy_units(seed, {r.code: r for r in df.itertuples() if r.kind == "TINH"},
                                      df[df.kind == "XA"].groupby("scope").size().to_dict())], ignore_index=True)
    df["ministry"] = df["ministry"].astype("Int64")
    return df


REFORM_DATE = "2025-07-01"
LEGACY_FROM = "2020-01-01"


def _legacy_units(seed: int, new_provinces: dict, new_communes: dict[str, int]) -> pd.DataFrame:
    volume = {province_codes()[p.codename]: PROVINCE_VOLUME.get(p.codename, 1.0) for p in Province.iter_all()}
    """The pre-reform map (valid until 30 June 2025) of every new province: the old provinces it
    was made of (vietnamadminunits' conversion), each with the same departments, its districts and
    its communes (vietnamadminunits' legacy units). `new_scope` is the post-reform province, so
    that selecting H44 simulates its old provinces before the reform. Volumes are shared out so
    that a merged province receives about as many dossiers before the reform as after."""
    from ..crosswalk import crosswalk_frame, legacy_communes

    cw = crosswalk_frame()
    provinces = cw[cw.old_unit_type == "TINH"]
    legacy = legacy_communes()
    key_of = {v: k for k, v in legacy_province_codes().items()}
    merged = provinces.groupby("new_unit_code").size().to_dict()
    rows: list[dict] = []
    for old in provinces.itertuples():
        pc, new = old.old_unit_code, new_provinces[old.new_unit_code]
        name = old.old_unit_name
        short = name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
        plabel = name if name.startswith("Thành phố") else f"tỉnh {short}"
        share = 1.0 / merged[old.new_unit_code]
        base = dict(scope=pc, new_scope=new.code, system="vnpt" if int(pc[1:]) % 2 == 0 else "viettel",
                    province_name=short, valid_from=pd.Timestamp(LEGACY_FROM).date(),
                    valid_to=(pd.Timestamp(REFORM_DATE) - pd.Timedelta(days=1)).date())
        kept = pc == new.code  # the province (and its departments) that gave the new one its name and code
        if not kept:
            rows.append(dict(base, code=pc, name=f"UBND {plabel}", kind="TINH", parent=None,
                             madinhdanh=f"000.00.00.{pc}", slot=0, ministry=None, weight=0.0, place=short))
        depts = list(CORE_DEPARTMENTS) + [d for j, d in enumerate(EXTRA_DEPARTMENTS) if _u(seed, pc, "extra", j) < 0.45]
        for i, (dname, ministry) in enumerate(depts if not kept else [], start=1):
            w = CORE_DEPARTMENT_WEIGHT[i - 1] if i <= len(CORE_DEPARTMENT_WEIGHT) else 0.3
            rows.append(dict(base, code=f"{pc}.{i:02d}", name=f"{dname} {plabel}", kind="SO", parent=pc,
                             madinhdanh=f"000.00.{i:02d}.{pc}", slot=i, ministry=ministry,
                             weight=w * 4.0 * share * volume[new.code], place=short))
        communes = legacy[legacy.provinceKey == key_of[pc]]
        for d in communes.drop_duplicates("districtCode").itertuples():
            rows.append(dict(base, code=legacy_unit_code(pc, "HUYEN", d.districtCode), name=f"UBND {d.district}",
                             kind="HUYEN", parent=pc, madinhdanh=f"000.{d.districtCode}.00.{pc}", slot=0,
                             ministry=None, weight=0.0, place=short))
        per_new = new_communes.get(new.code, 1) / max(1, len(legacy[legacy.provinceKey.isin(
            [key_of[c] for c in provinces[provinces.new_unit_code == new.code].old_unit_code])]))
        for c in communes.itertuples():
            urban = 1.8 if c.ward.startswith("Phường") else 1.0
            size = (0.35 + 1.65 * _u(seed, "size", c.wardCode) ** 2) * urban * per_new * volume[new.code]
            rows.append(dict(base, code=legacy_unit_code(pc, "XA", c.wardCode),
                             name="UBND " + c.ward[0].lower() + c.ward[1:], kind="XA",
                             parent=legacy_unit_code(pc, "HUYEN", c.districtCode), madinhdanh=f"000.X{c.wardCode}.00.{pc}",
                             slot=0, ministry=None, weight=size, place=c.ward))
    return pd.DataFrame(rows)
