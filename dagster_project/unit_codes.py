"""The directory's unit codes, one scheme for the simulator, the crosswalk and its seed.

Provinces are 'Hnn' in the alphabetical order of the 63 pre-2025 provinces (pre-2025 names, so
Huế sorts as "Thừa Thiên Huế"), each merged province keeping the code of the province whose name
it kept: that order gives Phú Thọ H44, which the tests and the published figures rely on.
Post-2025 communes are 'Hnn.1xx'; pre-2025 districts and communes 'Hnn.H<GSO code>' and
'Hnn.X<GSO code>'. Read from `vietnam-provinces` and `vietnamadminunits`, never written out.
"""
from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from importlib import resources

from vietnam_provinces import Province, Ward


def _ascii(s: str) -> str:
    s = s.replace("Đ", "D").replace("đ", "d")
    return unicodedata.normalize("NFD", s).encode("ascii", "ignore").decode().lower()


@lru_cache(maxsize=1)
def legacy_province_codes() -> dict[str, str]:
    """vietnamadminunits' pre-2025 province key (e.g. 'tinhvinhphuc') -> 'Hnn': the 63 provinces in
    alphabetical order of their pre-2025 names."""
    legacy = json.loads(resources.files("vietnamadminunits").joinpath("data/parser_legacy.json").read_text("utf-8"))
    names = {k: v["provinceShort"] for k, v in legacy["DICT_PROVINCE"].items()}
    names["thanhphohue"] = "Thừa Thiên Huế"  # its name until it became a city in 2025
    order = sorted(names, key=lambda k: _ascii(names[k]))
    return {k: f"H{i:02d}" for i, k in enumerate(order, start=1)}


def province_key_codename(key: str) -> str:
    """'tinhphutho' / 'thanhphohue' -> the vietnam-provinces codename ('phu_tho', 'hue'), by letters."""
    bare = key.removeprefix("thanhpho").removeprefix("tinh")
    return next(p.codename for p in Province.iter_all() if p.codename.replace("_", "") == bare)


@lru_cache(maxsize=1)
def province_codes() -> dict[str, str]:
    """codename (e.g. 'phu_tho') -> 'Hnn', from the pre-2025 alphabetical order."""
    legacy_code = legacy_province_codes()
    out = {}
    for p in Province.iter_all():
        key = next(k for k in legacy_code if k.removeprefix("thanhpho").removeprefix("tinh") == p.codename.replace("_", ""))
        out[p.codename] = legacy_code[key]
    assert out["phu_tho"] == "H44", out["phu_tho"]
    return out


@lru_cache(maxsize=1)
def commune_codes() -> dict[int, str]:
    """Post-2025 commune (GSO ward code) -> unit code 'Hnn.1xx': numbered from 100 in ward-code order."""
    codes = province_codes()
    by_province: dict[int, list] = {}
    for w in Ward.iter_all():
        by_province.setdefault(w.province_code.value, []).append(w)
    out = {}
    for p in Province.iter_all():
        for i, w in enumerate(sorted(by_province[p.code.value], key=lambda w: w.code.value), start=100):
            out[w.code.value] = f"{codes[p.codename]}.{i}"
    return out


def legacy_unit_code(old_province_code: str, level: str, admin_code: str) -> str:
    """Pre-2025 districts and communes: 'Hnn.H<district GSO code>' / 'Hnn.X<commune GSO code>'
    (letters keep them apart from the post-2025 numbered communes)."""
    return f"{old_province_code}.{'H' if level == 'HUYEN' else 'X'}{admin_code}"
