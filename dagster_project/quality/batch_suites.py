"""What a batch suite (expectations/<table>_batch.json) says about columns, written nowhere else.

The raw table's column set, its required fields and its code lists are the source's declaration
(sources/<source>.py, a SourceSpec); here they become Great Expectations expectations, placed
before the suite file's own (row counts, keys, dates in order, code shapes).
"""
from __future__ import annotations

from ..sources import raw_columns, raw_fields, reference_columns

BATCH_SUFFIX = "_batch"


def batch_table(suite_name: str) -> str | None:
    """The raw table a suite validates batches of, or None for another suite."""
    table = suite_name.removesuffix(BATCH_SUFFIX)
    return table if suite_name.endswith(BATCH_SUFFIX) and table in raw_fields() else None


def declared_expectations(table: str) -> list[dict]:
    """Columns, required fields and code lists of a raw table's batch, from its declaration."""
    where = f"declared in the source (raw.{table})"
    expectations = [{
        "type": "expect_table_columns_to_match_set",
        "kwargs": {"column_set": raw_columns(table) + list(reference_columns(table)), "exact_match": True},
        "severity": "critical", "meta": {"why": "the raw table still has the contract's columns, " + where}}]
    for f in raw_fields()[table]:
        if f.required:
            expectations.append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": f.name},
                                 "severity": "critical", "meta": {"why": "a required field, " + where}})
    expectations.append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "_extract_date"},
                         "severity": "critical", "meta": {"why": "every record belongs to a night"}})
    for f in raw_fields()[table]:
        if f.codes is not None:
            expectations.append({"type": "expect_column_values_to_be_in_set",
                                 "kwargs": {"column": f.name, "value_set": list(f.codes)},
                                 "severity": "critical", "meta": {"why": "the code list " + where}})
    return expectations
