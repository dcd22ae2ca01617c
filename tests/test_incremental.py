"""Incremental dbt models (stg_dossiers, stg_dossier_supplements, stg_agency_dossiers,
int_dossier_timeliness, int_dossier_facts, and month by month int_unit_month_dossier_counts and
int_unit_month_procedure_usage) give the scores a full refresh gives.

On a copy of `second_run_home` (three nights built in full, then an incremental run over a fourth
night with late September data and a corrected night 3), one more run goes incrementally: a new
night with new versions of a third of the dossiers (the as-of date a day on; one of them without
the supplement its earlier versions had) and a first, unsatisfied rating of a dossier nothing else
touches, together with corrections of night 2 (the same file names, new bytes, loaded after
nights 3 and 4): in the portal's file one dossier changed and one received dossier gone, in an
agency system's file one dossier gone. Then a `--full-refresh` run rebuilds everything from raw;
every criterion, group and unit score, and every row of the incremental models, must be equal row
by row. The shared second run stands in for a first incremental run of this test's own: a run
costs the suite about 25 s.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.cli import run_nightly

SCORES = {
    "marts.fct_criterion_scores": ["unit_code", "period_type", "period", "criterion_code"],
    "marts.fct_group_scores": ["unit_code", "period_type", "period", "group_code"],
    "marts.fct_unit_scores": ["unit_code", "period_type", "period"],
    # the incremental models themselves, minus the columns that say when a row was built
    "intermediate.int_dossier_timeliness": ["dossier_code"],
    "intermediate.int_dossier_facts": ["dossier_code"],
    "staging.stg_dossiers": ["dossier_code"],
    "staging.stg_agency_dossiers": ["agency_system", "dossier_code"],
    "staging.stg_dossier_supplements": ["dossier_code", "requested_at", "supplied_at"],
    "intermediate.int_unit_month_dossier_counts": ["unit_code", "received_month"],
    "intermediate.int_unit_month_procedure_usage": ["unit_code", "procedure_code", "received_month"],
}
BUILD_COLUMNS = ["staged_at", "loaded_at", "judged_at", "built_at", "judged_as_of"]


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(path.read_bytes()).decode().splitlines() if line.strip()]


def _write(folder: Path, records: list[dict]) -> None:
    """The night's dossier file with these records, and its manifest's row count and sha256."""
    data = gzip.compress(("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n").encode(), mtime=0)
    (folder / "part-00000.jsonl.gz").write_bytes(data)
    manifest = json.loads((folder / "_manifest.json").read_text())
    manifest["files"] = [{"name": "part-00000.jsonl.gz", "rows": len(records),
                          "sha256": hashlib.sha256(data).hexdigest()}]
    (folder / "_manifest.json").write_text(json.dumps(manifest))


def _drop_csv_line(path: Path, dossier: str) -> None:
    """An agency file re-delivered without the line of this dossier (first column), manifest updated."""
    lines = path.read_bytes().splitlines(keepends=True)
    kept = [lines[0]] + [line for line in lines[1:] if line.split(b";", 1)[0].decode() != dossier]
    assert len(kept) == len(lines) - 1
    data = b"".join(kept)
    path.write_bytes(data)
    manifest = json.loads((path.parent / "_manifest.json").read_text())
    manifest["files"] = [{"name": path.name, "rows": len(kept) - 1, "sha256": hashlib.sha256(data).hexdigest()}]
    (path.parent / "_manifest.json").write_text(json.dumps(manifest))


def _deliver(landing: Path, night: str, like: str, updated: str, every: int) -> None:
    """`night` for every source as a copy of night `like`; in its dossier file every `every`-th
    dossier has moved on: updated at `updated`, finished and returned then."""
    for source_dir in sorted(p for p in landing.iterdir() if p.is_dir()):
        shutil.copytree(source_dir / like, source_dir / night)
        manifest = json.loads((source_dir / night / "_manifest.json").read_text())
        manifest.update(extract_date=night, window_start=f"{night}T00:00:00+07:00",
                        window_end=f"{date.fromisoformat(night) + timedelta(days=1)}T00:00:00+07:00")
        (source_dir / night / "_manifest.json").write_text(json.dumps(manifest))
    folder = landing / "dvcqg_hoso" / night
    records = _records(folder / "part-00000.jsonl.gz")
    for r in records[::every]:
        r.update(NgayCapNhat=updated, TrangThaiHoSo=10, NgayKetThucXuLy=updated, NgayTra=updated)
    _write(folder, records)


def _frames(warehouse: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frames = {}
        for table, key in SCORES.items():
            df = con.execute(f"select * from {table}").df()
            frames[table] = df.drop(columns=[c for c in BUILD_COLUMNS if c in df]).sort_values(key).reset_index(drop=True)
        frames["staged_at"] = con.execute("select count(distinct staged_at) from staging.stg_dossiers").fetchone()[0]
    return frames


def test_incremental_runs_give_the_scores_of_a_full_refresh(copied_second_run_home):
    landing = copied_second_run_home / "landing"
    warehouse = copied_second_run_home / "warehouse" / "svcindex.duckdb"

    _deliver(landing, "2026-10-05", like="2026-10-04", updated="20261005100000", every=3)
    # one of the night's new versions has no supplement any more: its cycles must go
    night5 = landing / "dvcqg_hoso" / "2026-10-05"
    records5 = _records(night5 / "part-00000.jsonl.gz")
    unsupplied = next(r for r in records5[::3] if r.get("DanhSachHoSoBoSung"))
    unsupplied["DanhSachHoSoBoSung"] = []
    _write(night5, records5)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        unrated = con.execute("""select dossier_code from intermediate.int_dossier_facts
                                 where dossier_code not in (select dossier_code from staging.stg_ratings)
                                   and dossier_code not in (select MaHoSo from raw.dvcqg_hoso
                                                            where _extract_date >= '2026-10-03')
                                   and on_time_until = '9999-12-31' and received_date < '2026-10-03'
                                 order by dossier_code limit 1""").fetchone()[0]
    ratings = landing / "dvcqg_danhgia" / "2026-10-05"
    _write(ratings, _records(ratings / "part-00000.jsonl.gz")
           + [{"MaHoSo": unrated, "MucDo": 1, "NgayDanhGia": "20261005120000"}])
    night2 = landing / "dvcqg_hoso" / "2026-10-02"
    records = _records(night2 / "part-00000.jsonl.gz")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        only_here = {r[0] for r in con.execute("""select MaHoSo from raw.dvcqg_hoso group by MaHoSo
                                                   having count(*) = 1 and bool_and(_extract_date = '2026-10-02')""").fetchall()}
    # received, so that int_dossier_timeliness and int_dossier_facts must drop it too (drop_gone_rows)
    gone = next(r["MaHoSo"] for r in records if r["MaHoSo"] in only_here and r.get("NgayTiepNhan"))
    changed = next(r for r in records if r["MaHoSo"] in only_here and r["MaHoSo"] != gone)
    changed.update(TrangThaiHoSo=10, NgayKetThucXuLy=changed["NgayCapNhat"], NgayTra=changed["NgayCapNhat"])
    _write(night2, [r for r in records if r["MaHoSo"] != gone])
    agency_file = landing / "agency_vnpt" / "2026-10-02" / "part-00000.csv"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        agency_gone = con.execute("""select MaHoSo from raw.agency_hoso where _file = 'agency_vnpt/2026-10-02/part-00000.csv'
                                     and (HeThong, MaHoSo) in (select HeThong, MaHoSo from raw.agency_hoso
                                                               group by all having count(*) = 1)
                                     order by MaHoSo limit 1""").fetchone()[0]
    _drop_csv_line(agency_file, agency_gone)
    assert run_nightly().success

    incremental = _frames(warehouse)
    # the incremental runs re-ranked only what the nights touched: rows of three builds remain
    assert incremental["staged_at"] == 3
    dossiers = incremental["staging.stg_dossiers"].set_index("dossier_code")
    assert gone not in dossiers.index
    assert dossiers.loc[changed["MaHoSo"], "status"] == 10
    assert (dossiers.extract_date.astype(str) == "2026-10-05").sum() > 0
    assert agency_gone not in set(incremental["staging.stg_agency_dossiers"].dossier_code)
    supplements = set(incremental["staging.stg_dossier_supplements"].dossier_code)
    assert unsupplied["MaHoSo"] not in supplements and len(supplements) > 0
    facts = incremental["intermediate.int_dossier_facts"].set_index("dossier_code")
    assert facts.loc[unrated, "is_rated_unsatisfied"] and gone not in facts.index

    assert run_nightly(full_refresh=True).success
    full = _frames(warehouse)
    assert full["staged_at"] == 1
    for table in SCORES:
        assert len(full[table]) > 0, table
        pd.testing.assert_frame_equal(incremental[table], full[table], check_exact=False, rtol=1e-9,
                                      obj=table)
