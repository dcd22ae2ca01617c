"""The Parquet lake (dagster_project/lake.py): what ingest writes, and a corrected night replacing its partition."""
from __future__ import annotations

from datetime import date, datetime

import duckdb

from dagster_project import lake
from test_dbt_support import create_raw, insert


def test_nightly_run_writes_every_raw_table_by_night(pipeline_home):
    """Each raw table of the session's run is in the lake, night by night, with the same rows."""
    root = pipeline_home / "lake"
    tables, empty = lake.lake_tables(), []
    assert {"dvcqg_hoso", "dvcqg_coquan", "csdl_tthc", "agency_hoso"} <= set(tables), tables
    with duckdb.connect(str(pipeline_home / "warehouse" / "svcindex.duckdb"), read_only=True) as con:
        for table in tables:
            col = lake.night_column(table)
            raw = con.execute(f"select cast({col} as varchar) as night, count(*) from raw.{table} "
                              f"group by all order by 1").fetchall()
            parquet = con.execute(
                f"select cast(extract_night as varchar), count(*) from read_parquet('{root / table}/*/*.parquet', "
                f"hive_partitioning = true, hive_types = {{'extract_night': date}}) group by all order by 1").fetchall()
            assert parquet == raw, table
            if not raw:
                empty.append(table)
            if table == "dvcqg_hoso":
                assert len(raw) == 3 and all(n > 0 for _, n in raw), raw
            # the partition column equals the row's own night
            assert con.execute(
                f"select count(*) from read_parquet('{root / table}/*/*.parquet', hive_partitioning = true, "
                f"hive_types = {{'extract_night': date}}) where extract_night <> {col}").fetchone()[0] == 0
    # an empty table passes the comparison above whatever the lake holds: only PAKN may be (the
    # three-night sample has no citizen feedback yet)
    assert set(empty) <= {"dvcqg_pakn"}, empty


def test_a_corrected_night_replaces_its_partition_only(tmp_path):
    con = create_raw(tmp_path / "w.duckdb")
    base = {"MaTTHC": "1.000001", "MaCoQuan": "H44", "TrangThaiHoSo": 2, "NgayCapNhat": datetime(2026, 10, 1, 9)}
    insert(con, "dvcqg_hoso", [
        {**base, "MaHoSo": "A-1", "_extract_date": date(2026, 10, 1)},
        {**base, "MaHoSo": "A-2", "_extract_date": date(2026, 10, 1)},
        {**base, "MaHoSo": "B-1", "_extract_date": date(2026, 10, 2)},
    ])
    root = tmp_path / "lake"
    assert lake.export_nights(con, root, "dvcqg_hoso", ["2026-10-01", "2026-10-02"]) == 3
    night2 = root / "dvcqg_hoso" / "extract_night=2026-10-02" / "part-0.parquet"
    before = night2.read_bytes()

    # the night of 1 October is re-delivered: A-2 is gone, A-3 is new
    con.execute("delete from raw.dvcqg_hoso where _extract_date = date '2026-10-01'")
    insert(con, "dvcqg_hoso", [{**base, "MaHoSo": m, "_extract_date": date(2026, 10, 1)} for m in ("A-1", "A-3")])
    assert lake.export_nights(con, root, "dvcqg_hoso", ["2026-10-01"]) == 2

    codes = [r[0] for r in con.execute(
        f"select MaHoSo from read_parquet('{root}/dvcqg_hoso/*/*.parquet') order by 1").fetchall()]
    assert codes == ["A-1", "A-3", "B-1"]
    assert night2.read_bytes() == before                      # the other night is untouched
    assert sorted(p.name for p in (root / "dvcqg_hoso").iterdir()) == [
        "extract_night=2026-10-01", "extract_night=2026-10-02"]  # no staging or retired folders left

    # a night with no rows still carries the table's schema
    assert lake.export_nights(con, root, "dvcqg_hoso", ["2026-10-05"]) == 0
    cols = con.execute(f"describe select * from read_parquet('{root}/dvcqg_hoso/extract_night=2026-10-05/*.parquet')").fetchall()
    assert "DanhSachHoSoBoSung" in [c[0] for c in cols]
    con.close()
