"""Keyed hashing of personal data, as temporary SQL macros on the loading connection.

`pii_hash(v)` is sha256(key || '|' || v), written in the letters g..p instead of the digits
0..9: a pseudonym then never looks like a citizen ID or a phone number (so scans for those
stay meaningful), and the redaction below never re-hashes a hash.

`pii_redact(t)` makes a raw line safe for the quarantine table: the ChuHoSo object is replaced
by its hash and so is every run of 9 or more digits (citizen IDs, phones, tax codes), except
exactly 14 digits, which is the contract's date format and what a reader of a bad line needs.
The macros live in the connection's temp catalog: the key is never written to the warehouse.
"""
from __future__ import annotations

import duckdb

_CHU_HO_SO = r'"ChuHoSo"\s*:\s*\{[^}]*\}?'
_DIGIT_RUN = r"\d{9,}"


def install(con: duckdb.DuckDBPyConnection, key: str) -> None:
    if not key:
        raise ValueError("the personal-data key is empty: set SVCINDEX_PII_KEY")
    literal = "'" + key.replace("'", "''") + "'"
    con.execute(f"""
        create or replace temp macro pii_hash(v) as
            case when v is null then null
                 else translate(sha256({literal} || '|' || v::varchar), '0123456789', 'ghijklmnop') end
    """)
    # Rebuild t from the pieces between matches and the rewritten matches, all in SQL.
    con.execute("""
        create or replace temp macro _pii_hash_spans(t, pat, pre, post) as
            regexp_split_to_array(t, pat)[1] || array_to_string(list_transform(
                list_zip(regexp_extract_all(t, pat), regexp_split_to_array(t, pat)[2:]),
                lambda p: case when regexp_full_match(p[1], '\\d{14}') then p[1]
                               else pre || pii_hash(p[1]) || post end || p[2]), '')
    """)
    con.execute(f"""
        create or replace temp macro pii_redact(t) as
            _pii_hash_spans(_pii_hash_spans(t, '{_CHU_HO_SO}', '"ChuHoSo":"', '"'), '{_DIGIT_RUN}', '', '')
    """)
