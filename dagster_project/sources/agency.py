"""agency_<system>: the provinces' and ministries' one-stop-shop systems (CSV), one mapping file
per system (agency_mappings/<system>.json: delimiter, date format, header -> raw.agency_hoso
column, optional value maps such as channel names -> codes). A new vendor layout is a new
mapping file, not new code.
"""
from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from pathlib import Path

from ._spec import Field, Ref, SourceSpec

MAPPINGS_DIR = Path(__file__).with_name("agency_mappings")
PREFIX = "agency_"

# raw.agency_hoso: every agency system's CSV, mapped to one canonical shape by its mapping file.
FIELDS = (
    Field("HeThong", required=True, note="the agency system (source name minus 'agency_')"),
    Field("MaHoSo", required=True),
    Field("MaCoQuan", required=True),
    Field("MaTTHC"),
    Field("KenhThucHien", "int", codes=(1, 2, 3)),
    Field("TrangThaiHoSo", "int", codes=tuple(range(1, 11))),
    Field("NgayTiepNhan", "ts", required=True, when="event"),
    Field("NgayHenTra", "ts", when="due"),
    Field("NgayCapNhat", "ts", when="event"),
)


def systems() -> list[str]:
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.json"))


@lru_cache(maxsize=None)
def mapping(system: str) -> dict:
    """agency_mappings/<system>.json: the vendor's layout, read by the loader and the simulator."""
    path = MAPPINGS_DIR / f"{system}.json"
    if not path.is_file():
        raise KeyError(f"agency_{system}: no mapping file {path.relative_to(MAPPINGS_DIR.parent)} (known: {systems()})")
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def spec(source: str) -> SourceSpec:
    """The spec of `agency_<system>`; raises if the system has no mapping file."""
    system = source.removeprefix(PREFIX)
    path = MAPPINGS_DIR / f"{system}.json"
    if not source.startswith(PREFIX) or not path.is_file():
        raise KeyError(f"{source}: no mapping file {path.relative_to(MAPPINGS_DIR.parent)} (known: {systems()})")
    m = mapping(system)
    nfc = lambda s: unicodedata.normalize("NFC", s)  # noqa: E731 - headers are compared in NFC
    return SourceSpec(
        name=source,
        table="raw.agency_hoso",
        format="csv",
        delimiter=m["delimiter"],
        ts_formats=(m["date_format"],),
        ts_pattern=None,
        header_map={nfc(h): col for h, col in m["columns"].items()},
        value_maps={col: {nfc(k): v for k, v in vm.items()} for col, vm in m.get("values", {}).items()},
        constants={"HeThong": system},
        mapping_file=f"agency_mappings/{path.name}",
        snapshot=False,
        key=("HeThong", "MaHoSo", "NgayCapNhat"),
        refs=(Ref("MaCoQuan", "dvcqg_coquan"), Ref("MaTTHC", "csdl_tthc")),
        fields=FIELDS,
    )
