"""Declarations of a landing source: its fields, their types, code lists and checks.

Per-source modules only declare a `SourceSpec`; `_loader` turns it into a few set-based
DuckDB statements per file, `_schema` into the raw table's DDL, and quality/batch_suites into
the columns and code lists of its Great Expectations batch suite. Nothing here touches data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Field kinds and what they become in raw:
#   text   varchar, NFC-normalised, '' counts as missing
#   int    integer (JSON true/false accepted as 1/0)
#   bigint bigint
#   double double
#   ts     timestamp in the source's date format (JSON sources: yyyyMMddHHmmss)
#   date   date, from yyyyMMdd, yyyyMMddHHmmss or yyyy-MM-dd
#   month  date (first day) from yyyy-MM
#   json   nested JSON (array/object) cast to `json_type`, then optionally rewritten by `post`
# Nothing is coerced: a code sent as a JSON number (1.00432 for "1.004320"), 10.5 for an integer
# or "2026-03-15" for yyyyMMddHHmmss is a defect of the record, never silently converted.
Kind = Literal["text", "int", "bigint", "double", "ts", "date", "month", "json"]
RAW_TYPES: dict[str, str] = {"text": "varchar", "int": "integer", "bigint": "bigint", "double": "double",
                             "ts": "timestamp", "date": "date", "month": "date"}

# Every data table of raw ends with the lineage columns (path relative to landing/, 1-based line
# in the decompressed file, the manifest's extract night, the load's clock).
LINEAGE: tuple[tuple[str, str], ...] = (("_file", "varchar"), ("_line", "bigint"), ("_extract_date", "date"),
                                        ("_loaded_at", "timestamp"))

# Plausible dates: `when="event"` is a moment that has happened by the night (received, returned,
# updated...): from 2000 to the end of the manifest's extract window plus one day.
# `when="due"` is a deadline: from 2000, and it may lie in the future.
EARLIEST_PLAUSIBLE = "2000-01-01"
When = Literal["event", "due"]

# JSON sources carry dates as yyyyMMddHHmmss in Vietnam time (spec/extracts.md).
PORTAL_TS_FORMAT = "%Y%m%d%H%M%S"
PORTAL_TS_PATTERN = r"^\d{14}$"


@dataclass(frozen=True)
class Field:
    name: str                          # column of the raw table (and JSON key / canonical CSV column)
    kind: Kind = "text"
    required: bool = False
    codes: tuple | None = None         # allowed values, compared after typing
    json_type: str | None = None       # DuckDB type for kind='json', e.g. 'STRUCT(MaCSDL VARCHAR)[]'
    post: str | None = None            # SQL rewriting the typed value `{v}` (NFC inside lists, PII hashing)
    when: When | None = None           # date plausibility (ts/date/month kinds), see above
    raw_type: str | None = None        # the raw column's type when `post` changes it (default: from kind)
    note: str | None = None            # what the raw column holds, when its name does not say

    @property
    def sql_type(self) -> str:
        """The column's type in raw."""
        return self.raw_type or (self.json_type if self.kind == "json" else RAW_TYPES[self.kind])


@dataclass(frozen=True)
class Ref:
    """`field` must name a row of the reference snapshot `source` (latest night <= the file's night)."""
    field: str
    source: Literal["dvcqg_coquan", "csdl_tthc"]

    @property
    def column(self) -> str:
        return {"dvcqg_coquan": "MaCoQuan", "csdl_tthc": "MaTTHC"}[self.source]

    @property
    def noun(self) -> str:
        return {"dvcqg_coquan": "unit", "csdl_tthc": "procedure"}[self.source]


@dataclass(frozen=True)
class Check:
    """A source-specific rule: the record is bad when `bad` (SQL over typed columns) is true."""
    field: str
    bad: str
    reason: str                        # SQL expression giving the reason text


@dataclass(frozen=True)
class SourceSpec:
    name: str                          # landing folder, e.g. 'dvcqg_hoso'
    table: str                         # raw table, e.g. 'raw.dvcqg_hoso'
    fields: tuple[Field, ...]
    key: tuple[str, ...]               # a record version's identity: duplicates are dropped once
    snapshot: bool                     # full snapshot each night (key is per night) vs versions
    format: Literal["jsonl", "csv"] = "jsonl"
    refs: tuple[Ref, ...] = ()
    not_after: tuple[tuple[str, str], ...] = ()   # (a, b): a after b means dates run backwards
    checks: tuple[Check, ...] = ()
    ts_formats: tuple[str, ...] = (PORTAL_TS_FORMAT,)
    ts_pattern: str | None = PORTAL_TS_PATTERN    # strptime accepts short fields; pin the width
    # CSV only: delimiter, header -> canonical column, and optional value maps per column
    delimiter: str = ";"
    header_map: dict[str, str] = field(default_factory=dict)
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)   # column -> literal (agency HeThong)
    mapping_file: str | None = None    # named in header errors

    def get(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name}: no field {name!r}")

    def __post_init__(self) -> None:
        names = {f.name for f in self.fields} | set(self.constants)
        wanted = set(self.key) | {r.field for r in self.refs} | {x for p in self.not_after for x in p}
        if missing := wanted - names:
            raise ValueError(f"{self.name}: key/ref/date-order names unknown fields {sorted(missing)}")
        if self.format == "csv":
            if bad := set(self.header_map.values()) - names:
                raise ValueError(f"{self.name}: header map targets unknown columns {sorted(bad)}")
            required = {f.name for f in self.fields if f.required} - set(self.constants)
            if unmapped := required - set(self.header_map.values()):
                raise ValueError(f"{self.name}: required columns {sorted(unmapped)} have no header in the mapping")
