"""A batch too big for one DataFrame, validated as one: Great Expectations (which needs pandas)
sees it in streamed chunks, and SQL answers its row and key expectations over every record.

Used by the batch gate of each ingest asset (a night's raw records) and by the score gates (the
scores about to be published): `query_chunks` streams the rows, `BatchSql` answers.
"""
from __future__ import annotations

from collections.abc import Iterator

import pandas as pd


# Rows of a batch handed to Great Expectations at once (DuckDB vectors of 2,048 rows, ~250k
# rows): GE needs pandas, and a national month in one DataFrame needs tens of GB. BatchSql
# answers the row and key expectations over the whole batch in SQL; GE sees the first chunk, one
# vector (what the Data Docs page shows), and every chunk only for an expectation SQL does not
# answer.
GATE_CHUNK_VECTORS = 122
GATE_FIRST_CHUNK_VECTORS = 1


def query_chunks(con, query: str, params: list, vectors: int = GATE_CHUNK_VECTORS,
                 first: int = GATE_FIRST_CHUNK_VECTORS) -> Iterator[pd.DataFrame]:
    """The query's rows streamed from DuckDB: `first` vectors, then chunks of `vectors` vectors;
    the first chunk is always yielded (no rows is one empty frame, with its columns)."""
    cursor = con.cursor()  # its own result stream: the caller's connection stays usable
    try:
        cursor.execute(query, params)
        chunk = cursor.fetch_df_chunk(first)
        yield chunk
        while True:
            chunk = cursor.fetch_df_chunk(vectors)
            if chunk.empty:
                return
            yield chunk
    finally:
        cursor.close()


class BatchSql:
    """The batch's expectations answered in SQL over every record of the batch (set-based, in
    DuckDB): Great Expectations, which needs pandas, then only sees a sample chunk (its columns
    and types are those of every chunk: DuckDB types the whole table). Covers the expectation
    types the batch and score suites use; `answer` returns None for any other, which the gate
    then runs through GE over every chunk."""

    def __init__(self, con, query: str, params: list):
        self.con, self.params = con, params
        self.batch = f"({query})"
        self.rows = con.execute(f"select count(*) from {self.batch}", params).fetchone()[0]

    def _unexpected(self, bad: str, column: str | None, kwargs: dict, of: str = "true") -> tuple[bool, str] | None:
        """`bad`: a row fails; `of`: the rows the share (`mostly`) is taken over; both within the
        expectation's row condition, if it has one (None when that condition has no SQL here)."""
        where = _condition_sql(kwargs.get("row_condition"))
        if where is None:
            return None
        bad, of = f"({where}) and ({bad})", f"({where}) and ({of})"
        n, unexpected, sample = self.con.execute(
            f"select count(*) filter (where {of}), count(*) filter (where {bad}), "
            f"{f'(list({_q(column)}) filter (where {bad}))[1:3]' if column else '[]'} from {self.batch}",
            self.params).fetchone()
        mostly = kwargs.get("mostly")
        ok = unexpected == 0 if mostly is None else (n == 0 or (n - unexpected) / n >= mostly)
        return ok, f"{unexpected} unexpected, e.g. {[str(v) for v in sample or []]}"

    def answer(self, expectation: str, kwargs: dict) -> tuple[bool, str] | None:
        col = kwargs.get("column")
        if kwargs.get("row_condition") and expectation not in PER_ROW:
            return None
        if expectation == "expect_table_row_count_to_be_between":
            low, high = kwargs.get("min_value"), kwargs.get("max_value")
            return (low is None or self.rows >= low) and (high is None or self.rows <= high), str(self.rows)
        if expectation == "expect_column_values_to_not_be_null":
            return self._unexpected(f"{_q(col)} is null", None, kwargs)
        if expectation == "expect_column_values_to_be_in_set":
            values = ", ".join(_literal(v) for v in kwargs["value_set"])
            return self._unexpected(f"{_q(col)} is not null and {_q(col)} not in ({values})", col, kwargs,
                                    of=f"{_q(col)} is not null")
        if expectation == "expect_column_values_to_be_between":
            out = [f"{_q(col)} {'<=' if kwargs.get('strict_min') else '<'} {_literal(kwargs['min_value'])}"
                   ] if kwargs.get("min_value") is not None else []
            out += [f"{_q(col)} {'>=' if kwargs.get('strict_max') else '>'} {_literal(kwargs['max_value'])}"
                    ] if kwargs.get("max_value") is not None else []
            return self._unexpected(f"{_q(col)} is not null and ({' or '.join(out) or 'false'})", col, kwargs,
                                    of=f"{_q(col)} is not null")
        if expectation == "expect_column_values_to_match_regex":
            return self._unexpected(f"{_q(col)} is not null and not regexp_matches({_q(col)}::varchar, "
                                    f"{_literal(kwargs['regex'])})", col, kwargs, of=f"{_q(col)} is not null")
        if expectation == "expect_column_pair_values_a_to_be_greater_than_b":
            a, b = _q(kwargs["column_A"]), _q(kwargs["column_B"])
            # GE's ignore_row_if: the rows left out; a comparison with a missing value fails
            kept = {"either_value_is_missing": f"{a} is not null and {b} is not null",
                    "both_values_are_missing": f"not ({a} is null and {b} is null)",
                    "neither": "true"}.get(kwargs.get("ignore_row_if", "both_values_are_missing"))
            if kept is None:
                return None
            return self._unexpected(f"({kept}) and not coalesce({a} {'>=' if kwargs.get('or_equal') else '>'} {b}, false)",
                                    kwargs["column_A"], kwargs, of=kept)
        if expectation in ("expect_compound_columns_to_be_unique", "expect_column_values_to_be_unique"):
            cols = kwargs.get("column_list") or [col]
            keys = ", ".join(_q(c) for c in cols)
            dup, example = self.con.execute(f"""
                select coalesce(sum(n), 0), any_value(key) from (
                    select count(*) as n, concat_ws('|', {keys}) as key from {self.batch}
                    where not ({' and '.join(f'{_q(c)} is null' for c in cols)})
                    group by all having count(*) > 1)""", self.params).fetchone()
            return dup == 0, f"{dup} unexpected" + (f", e.g. ['{example}']" if dup else "")
        return None


# The expectation types answered by _unexpected, which honours a row condition.
PER_ROW = {"expect_column_values_to_not_be_null", "expect_column_values_to_be_in_set",
           "expect_column_values_to_be_between", "expect_column_values_to_match_regex",
           "expect_column_pair_values_a_to_be_greater_than_b"}
_SQL_OPERATORS = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _condition_sql(condition) -> str | None:
    """GE's structured row condition as SQL ("true" without one): a comparison of one column
    with a value; None for any other (GE then runs that expectation chunk by chunk)."""
    if not condition:
        return "true"
    if not isinstance(condition, dict):
        condition = condition.dict() if hasattr(condition, "dict") else None   # GX's ComparisonCondition
    if not isinstance(condition, dict) or condition.get("type") != "comparison":
        return None
    operator = _SQL_OPERATORS.get(str(condition.get("operator")))
    column = (condition.get("column") or {}).get("name")
    if operator is None or not column:
        return None
    return f"{_q(column)} {operator} {_literal(condition.get('parameter'))}"


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"
