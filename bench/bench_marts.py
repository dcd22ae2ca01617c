"""Benchmark: build every mart with the real dbt project on national-scale raw data.

Raw rows are generated straight into raw.* with set-based DuckDB SQL (the marts are what is
measured, not the simulator or the loaders). Two scenarios, each in its own fresh warehouse:
  month — one national month (default 5M dossiers, plus older versions of 20 % of them);
  year  — twelve months (default 2.5M dossiers a month: 30M, about a national year).
Prints wall time and the peak RSS of the dbt process, with memory_limit / temp_directory set
through SVCINDEX_DUCKDB_MEMORY and the profile.

    .venv/bin/python bench/bench_marts.py --scenario month
    .venv/bin/python bench/bench_marts.py --scenario year --memory 5GB
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from dagster_project.dbt_project import vars_args  # noqa: E402
from dagster_project.sources import ensure_raw_schema  # noqa: E402
from dagster_project.settings import DBT_PROJECT_DIR, Home  # noqa: E402

LINEAGE = "'bench', 1, date '{night}', timestamp '{night} 02:00'"

UNITS_SQL = """
insert into raw.dvcqg_coquan
select code, name, kind, parent, null, date '2025-07-01', null, {lineage}
from (
    select 'H' || lpad(cast(p as varchar), 2, '0') as code, 'Tỉnh ' || p as name, 'TINH' as kind, null as parent
    from range(1, 35) as t(p)
    union all
    select 'H' || lpad(cast(p as varchar), 2, '0') || '.' || lpad(cast(s as varchar), 2, '0'), 'Sở ' || s, 'SO',
           'H' || lpad(cast(p as varchar), 2, '0')
    from range(1, 35) as t(p), range(1, 21) as u(s)
    union all
    select 'H' || lpad(cast(p as varchar), 2, '0') || '.' || cast(100 + x as varchar), 'Xã ' || x, 'XA',
           'H' || lpad(cast(p as varchar), 2, '0')
    from range(1, 35) as t(p), range(0, 98) as u(x)
    union all
    select 'G' || lpad(cast(g as varchar), 2, '0'), 'Bộ ' || g, 'BO', null from range(1, 31) as t(g)
    union all
    select 'G' || lpad(cast(g as varchar), 2, '0') || '.' || cast(d as varchar), 'Đơn vị ' || d, 'DON_VI',
           'G' || lpad(cast(g as varchar), 2, '0')
    from range(1, 31) as t(g), range(1, 4) as u(d)
)
"""

CATALOGUE_SQL = """
insert into raw.csdl_tthc
select code, 'Thủ tục ' || code, levels, announcer,
       case when h % 3 = 0 then 'toàn trình' when h % 3 = 1 then 'một phần' else 'none' end,
       case when h % 3 = 0 then 1 else 0 end, case when h % 4 = 0 then 1 else 0 end, case when h % 5 < 2 then 1 else 0 end,
       case when h % 2 = 0 then ['CONG_DAN'] else ['DOANH_NGHIEP'] end,
       5 + h % 15, case when h % 10 = 0 then 'ngày' else 'ngày làm việc' end, case when h % 20 = 0 then 0 else 1 end,
       timestamp '{night}' - to_days(cast(h % 300 as integer)), timestamp '{night}' - to_days(cast(h % 300 as integer) - 10),
       timestamp '{night}' - to_days(cast(h % 300 as integer) - 3), 'CONG_KHAI', {lineage}
from (
    select '1.' || lpad(cast(i as varchar), 6, '0') as code, hash(i) as h,
           case i % 4 when 0 then ['BO'] when 1 then ['TINH'] when 2 then ['SO'] else ['XA'] end as levels,
           'G' || lpad(cast(1 + i % 30 as varchar), 2, '0') as announcer
    from range(1500) as t(i)
    union all
    select '2.' || lpad(cast(i as varchar), 6, '0'), hash(i + 7), case when i % 2 = 0 then ['SO'] else ['XA'] end,
           'H' || lpad(cast(1 + i % 34 as varchar), 2, '0')
    from range(1700) as t(i)
)
"""

SERVICES_SQL = """
insert into raw.dvcqg_dvctt
select 'DV.' || u.MaCoQuan || '.' || p.MaTTHC, p.MaTTHC, u.MaCoQuan, p.MucDoDVC, 'CONG_KHAI', {lineage}
from raw.dvcqg_coquan as u
join raw.csdl_tthc as p on list_contains(p.CapThucHien, u.LoaiCoQuan) and p.MucDoDVC <> 'none'
where hash(u.MaCoQuan || p.MaTTHC) % 10 = 0
"""

# csdl_tthc_donvi: the procedures under each unit's authority. A department carries its own
# field's share of its level's list (about one in twenty), a commune about a quarter of the
# commune list, ministries and provinces their whole level's list (extracts.md).
ASSIGNMENTS_SQL = """
insert into raw.csdl_tthc_donvi
select u.MaCoQuan, p.MaTTHC, date '2025-07-01', null, {lineage}
from raw.dvcqg_coquan as u
join raw.csdl_tthc as p on list_contains(p.CapThucHien, u.LoaiCoQuan)
where case u.LoaiCoQuan when 'SO' then hash(u.MaCoQuan || p.MaTTHC) % 20 = 0
                        when 'XA' then hash(u.MaCoQuan || p.MaTTHC) % 4 = 0
                        else true end
"""

# One row per dossier version; `n` dossiers received uniformly over [first_day, first_day + days).
DOSSIERS_SQL = """
insert into raw.dvcqg_hoso
select
    'HS-' || i, proc, unit, case when h % 10 < 6 then 2 when h % 10 < 9 then 1 else null end,
    case when v = 0 and h % 5 = 0 then 4 when h % 50 = 0 then 7 when h % 10 < 8 then 10 else 9 end,
    received, received, received + to_days(cast(5 + h % 10 as integer)),
    case when v = 1 or h % 5 <> 0 then received + to_days(cast(1 + (h >> 8) % 14 as integer)) end,
    case when v = 1 or h % 5 <> 0 then received + to_days(cast(2 + (h >> 8) % 14 as integer)) end,
    null,
    received + to_days(cast(v + 1 as integer)),
    1 + h % 4, null, null, cast(h % 3 = 0 as integer),
    case when (h >> 4) % 3 = 0 then [{{'MaCSDL': 'CSDLDC'}}] else [] end,
    cast((h >> 5) % 2 as integer), case when (h >> 6) % 4 = 0 then 1 else 0 end,
    case when (h >> 7) % 3 = 0 then [{{'MaPhiLePhi': 'LP', 'TenPhiLePhi': 'Lệ phí', 'Gia': cast((h >> 9) % 3 * 50000 as bigint), 'HinhThucThu': 'TT'}}] else [] end,
    [{{'MaThanhPhanHoSo': 'TP1', 'DuocSoHoa': cast((h >> 10) % 2 as integer), 'DuocTaiSuDung': cast((h >> 11) % 4 = 0 as integer), 'DuocLayTuKhoDMQG': cast((h >> 12) % 8 = 0 as integer)}}],
    case when (h >> 13) % 3 > 0 then [{{'MaGiayToKetQua': 'KQ', 'DuongDanTepTinKetQua': 'https://kq/' || i}}] else [] end,
    case when (h >> 14) % 20 = 0 then [{{'NgayYeuCauBoSung': received + interval 1 day, 'NgayBoSung': received + interval 3 day}}]
         when (h >> 14) % 100 = 1 then [{{'NgayYeuCauBoSung': received + interval 1 day, 'NgayBoSung': received + interval 2 day}},
                                          {{'NgayYeuCauBoSung': received + interval 3 day, 'NgayBoSung': null}}]
         else [] end,
    {lineage}
from (
    select d.i, d.h, v.v, u.MaCoQuan as unit, p.MaTTHC as proc,
           timestamp '{first_day} 07:30' + to_days(cast(d.h % {days} as integer)) + to_minutes(cast((d.h >> 20) % 540 as integer)) as received
    from (select i, hash(i * 2654435761 + {seed}) as h from range({offset}, {offset} + {n}) as t(i)) as d
    cross join (select 1 as v union all select 0) as v
    join (select MaCoQuan, row_number() over (order by MaCoQuan) - 1 as k from raw.dvcqg_coquan) as u
        on u.k = d.h % {n_units}
    join (select MaTTHC, row_number() over (order by MaTTHC) - 1 as k from raw.csdl_tthc) as p
        on p.k = (d.h >> 24) % {n_procs}
    where v.v = 1 or d.h % 5 = 0   -- 20 % of dossiers also carry an older, still-open version
)
"""

FEEDBACK_SQL = """
insert into raw.dvcqg_pakn
select 'PA-' || i, 'H' || lpad(cast(1 + h % 34 as varchar), 2, '0') || '.' || lpad(cast(1 + (h >> 3) % 20 as varchar), 2, '0'),
       null, case when h % 2 = 0 then 'QUY_DINH' else 'HANH_VI' end, r, null,
       case when h % 4 > 0 then r + to_days(cast(5 + (h >> 5) % 20 as integer)) end,
       case when h % 4 > 0 then 'DA_XU_LY' else 'DANG_XU_LY' end, cast(h % 3 as integer), cast((h >> 2) % 2 as integer), 0,
       r + interval 1 day, {lineage}
from (select i, hash(i + 99) as h, timestamp '{first_day} 08:00' + to_days(cast(hash(i + 99) % {days} as integer)) as r
      from range({n}) as t(i))
"""

RATINGS_SQL = """
insert into raw.dvcqg_danhgia
select 'HS-' || i, cast(1 + hash(i + 5) % 5 as integer), timestamp '{night}', {lineage}
from range({offset}, {offset} + {n}, 10) as t(i)
"""


def generate(warehouse: Path, first_day: str, days: int, per_month: int, months: int, night: str, memory: str) -> dict:
    con = duckdb.connect(str(warehouse), config={"memory_limit": memory, "preserve_insertion_order": False})
    ensure_raw_schema(con)
    lineage = LINEAGE.format(night=night)
    con.execute(UNITS_SQL.format(lineage=lineage))
    con.execute(CATALOGUE_SQL.format(lineage=lineage, night=night))
    con.execute(SERVICES_SQL.format(lineage=lineage))
    con.execute(ASSIGNMENTS_SQL.format(lineage=lineage))
    n_units = con.execute("select count(*) from raw.dvcqg_coquan").fetchone()[0]
    n_procs = con.execute("select count(*) from raw.csdl_tthc").fetchone()[0]
    for m in range(months):  # one insert per month keeps the generator's memory flat
        start = con.execute(f"select cast(date '{first_day}' + to_months({m}) as varchar)").fetchone()[0]
        month_days = days if months == 1 else 28
        con.execute(DOSSIERS_SQL.format(lineage=lineage, first_day=start, days=month_days, n=per_month,
                                        offset=m * per_month, seed=m, n_units=n_units, n_procs=n_procs))
        con.execute(RATINGS_SQL.format(lineage=lineage, night=night, n=per_month, offset=m * per_month))
    con.execute(FEEDBACK_SQL.format(lineage=lineage, first_day=first_day, days=days if months == 1 else 360,
                                    n=per_month * months // 1000))
    con.execute("insert into raw.load_log (source, extract_date, file_name, file_sha256, status, loaded_at)"
                " values ('dvcqg_hoso', ?, 'bench', 'x', 'loaded', ?::date + interval 2 hour)",  # = the rows' _loaded_at (LINEAGE)
                [night, night])
    counts = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
              for t in ("dvcqg_coquan", "csdl_tthc", "csdl_tthc_donvi", "dvcqg_dvctt", "dvcqg_hoso", "dvcqg_pakn",
                        "dvcqg_danhgia")}
    counts["dossiers"] = con.execute("select count(distinct MaHoSo) from raw.dvcqg_hoso").fetchone()[0]
    con.close()
    return counts


def run_dbt(home: Path, memory: str, *args: str) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in GB of the dbt process, return code), measured in a child."""
    env = {**os.environ, "SVCINDEX_HOME": str(home), "SVCINDEX_DUCKDB_MEMORY": memory,
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    dbt = str(Path(sys.executable).with_name("dbt"))
    probe = ("import resource, subprocess, sys, time; t = time.time(); rc = subprocess.run(sys.argv[1:]).returncode; "
             "print('BENCH', time.time() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)")
    args = (*args, *vars_args(Home(home), {"duckdb_memory_limit": memory}))  # the profile's vars
    out = subprocess.run([sys.executable, "-c", probe, dbt, *args, "--profiles-dir", ".",
                          "--target-path", str(home / "dbt_target"), "--log-path", str(home / "dbt_logs")],
                         cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
    line = [l for l in out.stdout.splitlines() if l.startswith("BENCH")]
    if not line:
        raise RuntimeError(out.stdout[-3000:] + out.stderr[-3000:])
    _, wall, rss_kb, rc = line[0].split()
    if int(rc) != 0:
        print(out.stdout[-4000:])
    return float(wall), int(rss_kb) / 1024 / 1024, int(rc)


def scenario(name: str, root: Path, memory: str, per_month: int) -> dict:
    home = root / name
    shutil.rmtree(home, ignore_errors=True)
    (home / "warehouse").mkdir(parents=True)
    months, first_day, days, night = (1, "2026-10-01", 31, "2026-10-31") if name == "month" else \
                                      (12, "2026-01-01", 28, "2026-12-31")
    t = time.time()
    counts = generate(home / "warehouse" / "svcindex.duckdb", first_day, days, per_month, months, night, memory)
    gen = time.time() - t
    wall, rss, rc = run_dbt(home, memory, "build", "--exclude", "test_type:unit")
    if rc != 0:
        print(f"dbt build failed; log: {home / 'dbt_logs' / 'dbt.log'}", file=sys.stderr)
    db_gb = (home / "warehouse" / "svcindex.duckdb").stat().st_size / 1e9
    return {"scenario": name, "dossiers": counts["dossiers"], "dossier_versions": counts["dvcqg_hoso"],
            "units": counts["dvcqg_coquan"], "generate_s": round(gen, 1), "dbt_build_s": round(wall, 1),
            "dbt_peak_rss_gb": round(rss, 2), "memory_limit": memory, "warehouse_gb": round(db_gb, 2),
            "dbt_ok": rc == 0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=Path("/tmp/svcindex-bench"))
    ap.add_argument("--scenario", choices=["month", "year", "both"], default="both")
    ap.add_argument("--month-dossiers", type=int, default=5_000_000)
    ap.add_argument("--year-per-month", type=int, default=2_500_000)
    ap.add_argument("--memory", default=os.environ.get("SVCINDEX_DUCKDB_MEMORY", "5GB"))
    ap.add_argument("--keep", action="store_true", help="keep the generated warehouses")
    a = ap.parse_args()
    names = ["month", "year"] if a.scenario == "both" else [a.scenario]
    for name in names:
        result = scenario(name, a.root, a.memory, a.month_dossiers if name == "month" else a.year_per_month)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        if not a.keep:
            shutil.rmtree(a.root / name, ignore_errors=True)


if __name__ == "__main__":
    main()
