"""Keyed hashing of personal data, as temporary SQL macros on the loading connection.

`pii_hash(v)` is sha256(key || '|' || v), written in the letters g..p instead of the digits
0..9: a pseudonym then never looks like a citizen ID or a phone number (so scans for those
stay meaningful), and the redaction below never re-hashes a hash.

`pii_redact(t)` makes any text safe to store or show (a quarantined line, a reason, a log
message, an error), whatever shape the personal data arrived in:
- every personal field, found by its name (PERSONAL_FIELDS) anywhere in the text, has its whole
  value replaced by the value's hash — a string, a number, an object or an array nested up to
  four levels; a value that does not end (a cut line) or nests deeper is hashed to the end of
  the line;
- every run of 9 or more digits (citizen IDs, phones, tax codes) and every phone number written
  with separators is hashed, except exactly 14 digits (the contract's date format, which a reader
  of a bad line needs);
- a line that spells ASCII letters or digits as \\u00XX escapes could hide a field name from the above, so
  such a line is withheld whole (replaced by its hash).
All of it is regular-expression work in DuckDB over the rows being written (set-based; no
Python per line). The macros live in the connection's temp catalog: the key is never written
to the warehouse.
"""
from __future__ import annotations

import duckdb

# Personal data in the contract (spec/extracts.md): the applicant and their identity documents,
# and the members of those objects, wherever they appear.
PERSONAL_FIELDS = ("ChuHoSo", "DinhDanhCHS", "HoTen", "SoDienThoai", "DiaChi", "SoDinhDanh", "Email")

_STRING = r'"(?:[^"\\]|\\.)*"'
_PLAIN = r'[^"\[\]{}]'


def _nested(depth: int) -> str:
    """An object or array nested up to `depth` levels, strings inside it skipped whole."""
    inner = f"{_STRING}|{_PLAIN}"
    for _ in range(depth):
        block = rf"[\[{{](?:{inner})*[\]}}]"
        inner = f"{_STRING}|{_PLAIN}|{block}"
    return block


_SCALAR = r'[^"\[\]{},\s][^,\]}\s]*'
# "Name" : value — value = a string, a nested block, a scalar, or (cut or too deep) the rest of the line
PERSONAL_VALUE = (rf'"(?:{"|".join(PERSONAL_FIELDS)})"\s*:\s*(?:{_STRING}|{_nested(4)}|{_SCALAR}|.*)')
# a run of 9+ digits standing alone (an ID or phone), not digits inside a longer token such as a
# file's sha256 in a loader message
DIGITS = r"(?:\+|\b)\d{9,}\b|(?:\+84|\b0)\d{2,3}(?:[ .-]\d{2,4}){2,3}\b"
ESCAPED_ASCII = r"\\u00(?:3[0-9]|4[1-9a-fA-F]|5[0-9aA]|6[1-9a-fA-F]|7[0-9aA])"   # letters and digits
# What pii_redact could change: a text matching none of these is returned as it is, after one scan
# (the rewrite splits and rebuilds the whole text). NFC never makes an ASCII digit or a field name.
MAY_HOLD_PERSONAL = rf'"(?:{"|".join(PERSONAL_FIELDS)})"\s*:|{DIGITS}|{ESCAPED_ASCII}'


def _sql(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def install(con: duckdb.DuckDBPyConnection, key: str) -> None:
    if not key:
        raise ValueError("the personal-data key is empty: set SVCINDEX_PII_KEY")
    con.execute(f"""
        create or replace temp macro pii_hash(v) as
            case when v is null then null
                 else translate(sha256({_sql(key)} || '|' || v::varchar), '0123456789', 'ghijklmnop') end
    """)
    # Rebuild t from the pieces between matches and the rewritten matches, all in SQL:
    # "Name": value -> "Name":"<hash of the value>" (a string's hash is that of its text)
    con.execute(f"""
        create or replace temp macro _pii_fields(t) as
            regexp_split_to_array(t, {_sql(PERSONAL_VALUE)})[1] || array_to_string(list_transform(
                list_zip(regexp_extract_all(t, {_sql(PERSONAL_VALUE)}), regexp_split_to_array(t, {_sql(PERSONAL_VALUE)})[2:]),
                lambda p: '"' || regexp_extract(p[1], '^"([^"]+)"', 1) || '":"' || pii_hash(regexp_replace(
                              regexp_replace(p[1], '^"[^"]+"\\s*:\\s*', ''), '^"(.*)"$', '\\1', 's')) || '"'
                          || p[2]), '')
    """)
    con.execute(f"""
        create or replace temp macro _pii_digits(t) as
            regexp_split_to_array(t, {_sql(DIGITS)})[1] || array_to_string(list_transform(
                list_zip(regexp_extract_all(t, {_sql(DIGITS)}), regexp_split_to_array(t, {_sql(DIGITS)})[2:]),
                lambda p: case when regexp_full_match(p[1], '\\d{{14}}') then p[1] else pii_hash(p[1]) end
                          || p[2]), '')
    """)
    con.execute(f"create or replace temp macro pii_may_hold(t) as regexp_matches(t, {_sql(MAY_HOLD_PERSONAL)})")
    con.execute(f"""
        create or replace temp macro pii_redact(t) as
            case when t is null then null
                 when not pii_may_hold(t) then t
                 when regexp_matches(t, {_sql(ESCAPED_ASCII)})
                 then '(withheld: the text escapes ASCII letters as \\u00XX, which could hide a personal field; '
                      || 'its hash is ' || pii_hash(t) || ')'
                 else _pii_digits(_pii_fields(t)) end
    """)
