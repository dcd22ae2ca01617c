"""The 1 July 2025 crosswalk, old unit -> new unit, from `vietnamadminunits`' conversion data.

63 provinces became 34 and about 10,000 communes became 3,321 (districts were abolished). The
library ships the conversion (`data/converter_2025.json`): which old provinces make each new one,
which old communes (province_district_commune keys) make each new commune, and for the few old
communes split between several new ones, every part and the default ("isDefaultNewWard"). Its
`dataset.db` gives names and GSO codes of both maps. This module turns them into unit codes of
the directory (unit_codes.py: provinces 'Hnn', new communes 'Hnn.1xx', old communes
'Hnn.X<GSO code>'); seeds/generate_unit_crosswalk.py writes the seed `ref_unit_crosswalk`.
Departments and districts are not in the library: dbt derives them (departments follow their
province, a district goes to its new province; int_unit_crosswalk).
"""
from __future__ import annotations

import json
import sqlite3
from importlib import metadata, resources

import unicodedata

import pandas as pd
from vietnam_provinces import Province, Ward

from .unit_codes import commune_codes, legacy_province_codes, legacy_unit_code, province_codes, province_key_codename

COLUMNS = ["old_unit_code", "old_unit_type", "old_unit_name", "old_admin_code", "old_parent_name",
           "new_unit_code", "new_unit_type", "new_unit_name", "new_admin_code", "is_default", "source"]


def crosswalk_frame() -> pd.DataFrame:
    """One row per (old province or commune, new unit it went to); is_default marks the one new
    unit an old commune's history is counted under when it was split."""
    data = resources.files("vietnamadminunits").joinpath("data")
    conv = json.loads(data.joinpath("converter_2025.json").read_text("utf-8"))
    source = f"vietnamadminunits {metadata.version('vietnamadminunits')} converter_2025"
    with sqlite3.connect(str(data.joinpath("dataset.db"))) as db:
        old = pd.read_sql("select distinct province, provinceKey, provinceCode, district, districtKey, ward, wardKey, "
                          "wardCode from admin_units_legacy", db)
        new = pd.read_sql("select distinct province, provinceKey, provinceCode, ward, wardKey, wardCode from admin_units", db)
    old_pc, new_pc = legacy_province_codes(), province_codes()
    new_code_of_key = {k: new_pc[province_key_codename(k)] for k in new.provinceKey.unique()}
    communes = commune_codes()
    # the library's new-ward codes are, for about a hundred wards, the code of one of the old wards
    # merged into it; vietnam-provinces has the official new codes: match by province and name first
    province_of = {p.code.value: new_pc[p.codename] for p in Province.iter_all()}
    by_name = {(province_of[w.province_code.value], unicodedata.normalize("NFC", w.name)): communes[w.code.value]
               for w in Ward.iter_all()}

    provinces = pd.DataFrame([(old_key, new_key) for new_key, olds in conv["DICT_PROVINCE"].items() for old_key in olds],
                             columns=["old_key", "new_key"])
    old_p = old.drop_duplicates("provinceKey").set_index("provinceKey")
    new_p = new.drop_duplicates("provinceKey").set_index("provinceKey")
    province_rows = pd.DataFrame({
        "old_unit_code": provinces.old_key.map(old_pc), "old_unit_type": "TINH",
        "old_unit_name": provinces.old_key.map(old_p.province), "old_admin_code": provinces.old_key.map(old_p.provinceCode),
        "old_parent_name": None,
        "new_unit_code": provinces.new_key.map(new_code_of_key), "new_unit_type": "TINH",
        "new_unit_name": provinces.new_key.map(new_p.province), "new_admin_code": provinces.new_key.map(new_p.provinceCode),
        "is_default": True})

    pairs = [(old_key, new_prov, new_ward, True)
             for new_prov, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items()
             for new_ward, olds in wards.items() for old_key in olds]
    pairs += [(old_key, new_prov, part["newWardKey"], bool(part["isDefaultNewWard"]))
              for new_prov, split in conv["DICT_PROVINCE_WARD_DIVIDED"].items()
              for old_key, parts in split.items() for part in parts]
    links = pd.DataFrame(pairs, columns=["old_key", "new_prov", "new_ward", "is_default"]).drop_duplicates()
    old["old_key"] = old.provinceKey + "_" + old.districtKey + "_" + old.wardKey.fillna("")
    joined = (links.merge(old, on="old_key", how="inner")
                   .merge(new.rename(columns={"provinceKey": "new_prov", "wardKey": "new_ward", "province": "new_province",
                                              "provinceCode": "new_province_code", "ward": "new_ward_name",
                                              "wardCode": "new_ward_code"}), on=["new_prov", "new_ward"], how="inner"))
    commune_rows = pd.DataFrame({
        "old_unit_code": [legacy_unit_code(old_pc[p], "XA", c) for p, c in zip(joined.provinceKey, joined.wardCode)],
        "old_unit_type": "XA", "old_unit_name": joined.ward, "old_admin_code": joined.wardCode,
        "old_parent_name": joined.district + ", " + joined.province,
        "new_unit_code": [by_name.get((new_code_of_key[p], unicodedata.normalize("NFC", n)), communes.get(int(c)))
                          for p, n, c in zip(joined.new_prov, joined.new_ward_name, joined.new_ward_code)],
        "new_unit_type": "XA",
        "new_unit_name": joined.new_ward_name, "new_admin_code": joined.new_ward_code, "is_default": joined.is_default})
    out = pd.concat([province_rows, commune_rows], ignore_index=True)
    out["source"] = source
    # an old commune whose every part is unknown to the new map would have no default: make its first part the default
    has_default = out.groupby("old_unit_code").is_default.transform("any")
    first = ~out.duplicated("old_unit_code")
    out.loc[~has_default & first, "is_default"] = True
    out = out.dropna(subset=["new_unit_code"]).sort_values(["old_unit_code", "is_default", "new_unit_code"],
                                                           ascending=[True, False, True])
    out = out.drop_duplicates(["old_unit_code", "new_unit_code"])
    # exactly one default per old unit (an old commune listed whole under two new ones keeps the first)
    out["is_default"] = out.is_default & ~out[out.is_default].duplicated("old_unit_code").reindex(out.index, fill_value=False)
    out = out.sort_values(["old_unit_code", "new_unit_code"])
    return out[COLUMNS].reset_index(drop=True)


def legacy_communes() -> pd.DataFrame:
    """Every pre-2025 commune with its district: province key, district and commune GSO codes and names."""
    data = resources.files("vietnamadminunits").joinpath("data")
    with sqlite3.connect(str(data.joinpath("dataset.db"))) as db:
        return pd.read_sql("select distinct provinceKey, province, districtCode, district, wardCode, ward "
                           "from admin_units_legacy where wardCode is not null order by wardCode", db)
