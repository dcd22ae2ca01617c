"""Loaders: the landing contract (spec/extracts.md) into the raw schema of the warehouse.

    ensure_raw_schema(con)
    raw_fields() / raw_columns(table) / reference_columns(table)   (the declared raw tables)
    discover_sources(landing) -> list[str]
    complete_nights(landing, source=None) -> list[str]   (nights whose manifest has landed)
    load_source(con, landing, source, pii_key, nights=None) -> LoadSummary
    load_all(con, landing, pii_key) -> dict[str, LoadSummary]

One module per source system declares its fields; `_loader` is the shared mechanism.
"""
from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import duckdb

from . import agency
from ._landing import complete_nights
from ._loader import LoadSummary, load_nights
from ._schema import SOURCES, ensure_raw_schema, raw_columns, raw_fields, reference_columns
from ._spec import SourceSpec

__all__ = ["SOURCES", "LoadSummary", "complete_nights", "discover_sources", "ensure_raw_schema", "load_all", "load_source", "raw_columns",
           "raw_fields", "reference_columns", "spec_for"]


def discover_sources(landing: Path) -> list[str]:
    """The fixed sources, then every agency_<system> folder present in landing."""
    found = sorted(p.name for p in Path(landing).glob(f"{agency.PREFIX}*") if p.is_dir())
    return [*SOURCES, *found]


def spec_for(source: str) -> SourceSpec:
    return SOURCES[source] if source in SOURCES else agency.spec(source)


def load_source(con: duckdb.DuckDBPyConnection, landing: Path, source: str, pii_key: str,
                nights: Collection[str] | None = None) -> LoadSummary:
    """Every complete, not yet loaded night of one source (or only `nights`, YYYY-MM-DD)."""
    return load_nights(con, Path(landing), [spec_for(source)], pii_key, only=nights)[source]


def load_all(con: duckdb.DuckDBPyConnection, landing: Path, pii_key: str) -> dict[str, LoadSummary]:
    """Every source, nights in date order and reference snapshots first within a night.
    An agency folder without a mapping file is reported, not loaded."""
    specs, unmapped = [], {}
    for source in discover_sources(landing):
        try:
            specs.append(spec_for(source))
        except KeyError as e:
            unmapped[source] = LoadSummary(messages=[str(e.args[0])])
    return {**load_nights(con, Path(landing), specs, pii_key), **unmapped}
