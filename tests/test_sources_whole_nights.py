"""Whole nights of every source: replaying night by night equals one run; no personal data
reaches any warehouse table."""
from __future__ import annotations

import shutil

from dagster_project.sources import load_all
from test_sources_helpers import KEY, connect, nights_fixture

CITIZEN_ID_RE = r"(^|[^0-9A-Za-z])\d{12}([^0-9A-Za-z]|$)"
PHONE_RE = r"(^|[^0-9A-Za-z])(\+?84|0)\d{9}([^0-9A-Za-z]|$)"
TIMES = {"_loaded_at", "loaded_at", "quarantined_at"}


def _tables(con) -> dict[str, list[str]]:
    cols = con.execute("""select table_schema || '.' || table_name, list(column_name order by ordinal_position)
                          from information_schema.columns where table_catalog = current_database()
                          group by all order by 1""").fetchall()
    return dict(cols)


def _content(con) -> dict[str, list[tuple]]:
    """Every table's rows (timestamps of the load itself left out), as a sorted list."""
    out = {}
    for table, cols in _tables(con).items():
        kept = ", ".join(f'"{c}"::varchar' for c in cols if c not in TIMES)
        out[table] = sorted(con.execute(f"select {kept} from {table}").fetchall(), key=repr)
    return out


def _pii_hits(con, pattern: str) -> dict[str, int]:
    hits = {}
    for table, cols in _tables(con).items():
        text = " || '|' || ".join(f"coalesce(\"{c}\"::varchar, '')" for c in cols)
        n = con.execute(f"select count(*) from {table} where regexp_matches({text}, ?)", [pattern]).fetchone()[0]
        if n:
            hits[table] = n
    return hits


def test_thirty_nights_one_by_one_equal_thirty_nights_at_once(tmp_path):
    full = tmp_path / "all"
    nights = nights_fixture(full, full=False)
    once = connect(None)          # in memory: this test is about order, not durability
    summaries = load_all(once, full, KEY)
    assert summaries["dvcqg_hoso"].rows_duplicate == 3 * 29 and summaries["dvcqg_hoso"].rows_quarantined == 60

    step = connect(None)
    growing = tmp_path / "growing"
    for night in nights:
        for src in full.iterdir():
            shutil.copytree(src / night, growing / src.name / night)
        load_all(step, growing, KEY)
    load_all(step, growing, KEY)                      # and once more: nothing changes

    a, b = _content(once), _content(step)
    assert {t: len(r) for t, r in a.items()} == {t: len(r) for t, r in b.items()}
    for table in a:
        assert a[table] == b[table], table
    assert len(a["raw.dvcqg_hoso"]) == 30 * 3 + 29 * 2 and len(a["raw.agency_hoso"]) == 30


def test_no_citizen_id_or_phone_number_in_any_warehouse_table(tmp_path):
    landing = tmp_path / "landing"
    nights_fixture(landing, n=3)
    con = connect(tmp_path)
    load_all(con, landing, KEY)
    assert con.execute("select count(*) from raw.quarantine where raw_text like '%DinhDanhCHS%'").fetchone()[0] > 0
    assert _pii_hits(con, CITIZEN_ID_RE) == {}
    assert _pii_hits(con, PHONE_RE) == {}
    # the scan does see them when they are there: the landing lines themselves
    con.execute("create table main.landing_lines as select * from read_csv(?, columns={'line': 'varchar'},"
                " delim=chr(1), quote='', escape='', header=false)", [str(landing / "dvcqg_hoso" / "*" / "*.gz")])
    every_dossier_line = con.execute("select count(*) from main.landing_lines").fetchone()[0]
    assert _pii_hits(con, CITIZEN_ID_RE) == {"main.landing_lines": every_dossier_line}
