"""The extract simulator: writes exactly the landing contract of spec/extracts.md.

    simulate(landing, start, end, scale=0.002, seed=7, provinces=None, defects=()) -> summary

Nights run from `start` to `end` inclusive. Same arguments give byte-identical files. Everything
about dossiers is generated set-based in one in-memory DuckDB; Python loops only over nights and
sources. See `defects.py` for the bad input each defect class injects, and where.
"""
from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import tempfile

import duckdb

from ..settings import duckdb_settings
from . import catalogue, dossiers, landing as out, nightly
from .calendar import calendar_frame
from .defects import DEFECT_CLASSES, apply_defects
from .units import CORE_DEPARTMENTS, directory

__all__ = ["simulate", "DEFECT_CLASSES"]

WRITERS = 2

# Latent behaviour of every unit, drawn from the seed: a province (or ministry) quality `qp`
# shared by its units, each unit's own draw, and about one unit in eight markedly weak. Calibrated
# (bench/bench_distribution.py) towards the published shape of rulebook §5a: provinces mostly
# 80–92, departments mostly 70–92 with a tail, communes around 85–93 with a tail (communes handle
# simple procedures, so they get a lift).
UNIT_BEHAVIOUR = """
create or replace table units as
with b as (select *, 0.55 + 0.45 * rnd(scope, 'qp') as qp from units_df),
q as (select *, greatest(0.02, least(0.99, 0.65 * qp + 0.35 * rnd(code, 'q')
                  + case when kind = 'XA' then 0.1 else 0 end
                  - case when rnd(code, 'weak') < 0.12 then 0.3 else 0 end)) as q from b)
select *,
    case kind when 'SO' then scope || '|TINH|' || slot when 'XA' then scope || '|XA|0'
              when 'DON_VI' then scope || '|BO|0' end as grp,
    0.7 + 0.3 * q as p_ontime,
    0.3 + 0.65 * q as p_online,
    0.45 + 0.55 * q as p_payonline,
    0.5 + 0.5 * q as p_digit,
    0.25 + 0.7 * q as p_reuse,
    0.2 + 0.55 * q as p_kho,
    0.3 + 0.65 * q as p_vneid,
    0.45 + 0.5 * q as p_csdldc,
    0.6 + 0.4 * q as p_eresult,
    0.005 + 0.04 * (1 - q) as p_unsat,
    0.15 + 0.3 * q as p_rate,
    0.7 + 0.3 * q as p_pakn_ontime,
    case when rnd(code, 'sync') < 0.1 then 0.6 + 0.3 * rnd(code, 'sync2')
         when rnd(code, 'sync') < 0.55 then 1.0 else 0.9 + 0.1 * rnd(code, 'sync2') end as sync_rate
from q
"""


def _connect(seed: int, spill: Path) -> duckdb.DuckDBPyConnection:
    # The pipeline's memory bound (5GB unless SVCINDEX_DUCKDB_MEMORY says otherwise): a national
    # month's dossiers outgrow it, and spill to `spill` rather than take a shared machine's RAM.
    con = duckdb.connect(config={**duckdb_settings(), "temp_directory": str(spill)})
    con.execute("set preserve_insertion_order = true")
    # 53 bits of a seeded hash -> uniform double in [0, 1)
    con.execute(f"create macro rnd(a, b) as (hash({int(seed)}, a, b) >> 11)::double / 9007199254740992.0")
    con.execute("create macro f(t) as strftime(t, '%Y%m%d%H%M%S')")
    return con


def _load_units(con: duckdb.DuckDBPyConnection, seed: int, provinces: list[str] | None, start: date,
                end: date) -> list[str]:
    units_df = directory(seed)
    known = set(units_df.loc[(units_df.kind == "TINH") & units_df.valid_to.isna(), "code"])
    # the map of the simulated days: the pre-reform units (valid until 30 June 2025) only when the
    # nights, or the dossiers received before the first night, reach back before 1 July 2025
    first_day = start - timedelta(days=dossiers.LEAD_DAYS)
    units_df = units_df[units_df.valid_to.isna() | (units_df.valid_to >= first_day)]
    units_df = units_df[units_df.valid_from <= end].copy()
    if provinces is None:
        units_df["selected"] = True
    else:
        unknown = sorted(set(provinces) - known)
        if unknown:
            raise ValueError(f"unknown province codes {unknown}; known: {sorted(known)}")
        units_df["selected"] = units_df["new_scope"].isin(provinces)  # a post-reform code selects its old provinces too
    con.register("units_df", units_df)
    con.execute(UNIT_BEHAVIOUR)
    con.unregister("units_df")
    dept = [(i, m) for i, (_, m) in enumerate(CORE_DEPARTMENTS, start=1)]
    con.execute("create or replace table dept_ministry as select * from (values " +
                ", ".join(f"({i}, {m})" for i, m in dept) + ") v(slot, ministry)")
    return sorted(units_df.loc[units_df.kind == "TINH", "province_name"].tolist())


def simulate(landing: Path, start: date, end: date, *, scale: float = 0.002, seed: int = 7,
             provinces: list[str] | None = None, defects: Sequence[str] = (), kept_back: Path | None = None) -> dict:
    """Write nights start..end (inclusive) into `landing`; return {source: {nights, rows, bytes}}.
    With `kept_back`, also write there (a CSV outside the landing folder) the dossiers of the
    nights' agency extracts that the portal got late or never."""
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    bad = sorted(set(defects) - set(DEFECT_CLASSES))
    if bad:
        raise ValueError(f"unknown defect classes {bad}; known: {list(DEFECT_CLASSES)}")
    landing = Path(landing)
    spill = tempfile.TemporaryDirectory(prefix="svcindex_sim_")
    con = _connect(seed, Path(spill.name))
    province_names = _load_units(con, seed, provinces, start, end)

    dossier_start = start - timedelta(days=dossiers.LEAD_DAYS)
    prev_month = (start.replace(day=1) - timedelta(days=1)).replace(day=1)  # bcqg reports it early in a month
    count_start = min(prev_month, dossier_start)
    cal = calendar_frame(count_start - timedelta(days=7), end + timedelta(days=500))
    con.register("cal_df", cal)
    con.execute("create table cal as select * from cal_df")
    con.execute("create table wd as select cum as idx, d from cal where working")
    con.unregister("cal_df")

    catalogue.build(con, start, end)
    dossiers.build_unit_days(con, scale, count_start, end)
    dossiers.build_dossiers(con, dossier_start)
    dossiers.build_versions(con, start, end)
    dossiers.build_feedback(con, start, end)

    summary: dict[str, dict[str, int]] = {}
    defect_state: dict = {}
    nights = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    # Two nights are written at once (one DuckDB cursor each): JSON serialisation and gzip are
    # single-threaded per file, and this machine has two cores. Defects and manifests follow in
    # night order, so the result does not depend on which thread finished first.
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        jobs = [pool.submit(_write_night, con.cursor(), landing, night, province_names) for night in nights]
        for night, job in zip(nights, jobs):
            for source, written in job.result().items():
                tamper = apply_defects(landing, source, night, start, end, written, defects, defect_state)
                out.write_manifest(out.night_dir(landing, source, night), source, night, written, tamper=tamper)
                s = summary.setdefault(source, {"nights": 0, "rows": 0, "bytes": 0})
                s["nights"] += 1
                s["rows"] += sum(w.rows for w in written)
                s["bytes"] += sum(w.path.stat().st_size for w in written)
    if kept_back is not None:
        _record_kept_back(con, Path(kept_back), start, end)
    con.close()
    spill.cleanup()
    return summary


def _record_kept_back(con: duckdb.DuckDBPyConnection, target: Path, start: date, end: date) -> None:
    """What the simulator kept from the portal, for tests to compare with the warehouse's sync gaps:
    every dossier of the nights' agency extracts that never syncs (synced_on empty) or syncs late,
    its age in working days at the last night by the simulator's own calendar. No personal data."""
    target.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"""
    copy (
        select x.MaHoSo as dossier_code, x.MaCoQuan as unit_code, x.MaTTHC as procedure_code,
               'agency_' || x.system as source, x.d as received_date,
               case when x.synced then x.sync_day end as synced_on,
               (select cum from cal where d = date '{end}') - x.cum as age_working_days_at_end
        from (select dossier.*, cal.cum from dossier join cal using (d)) x
        where x.d between date '{start}' and date '{end}' and (not x.synced or x.sync_day is not null)
        order by x.MaHoSo
    ) to '{target}' (header, delimiter ',')
    """)


def _write_night(con, landing: Path, night: date, province_names: list[str]) -> dict[str, list[out.Written]]:
    jsonl = {
        "dvcqg_coquan": nightly.coquan(night),
        "csdl_tthc": nightly.tthc(night),
        "csdl_tthc_donvi": nightly.tthc_donvi(night),
        "dvcqg_dvctt": nightly.dvctt(night),
        "dvcqg_hoso": nightly.hoso(night, province_names),
        "dvcqg_pakn": nightly.pakn(night),
        "dvcqg_danhgia": nightly.danhgia(night),
    }
    csv = {"bcqg_tiepnhan": (nightly.bcqg(night), ";", False)}
    systems = [r[0] for r in con.execute("select distinct system from units where selected and weight > 0 order by 1").fetchall()]
    for system in systems:
        csv[f"agency_{system}"] = (nightly.agency(system, night), nightly.agency_delimiter(system), True)
    written = {}
    for source in [*jsonl, *csv]:
        folder = out.night_dir(landing, source, night)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "_manifest.json").unlink(missing_ok=True)  # a night being rewritten is not complete
        if source in jsonl:
            written[source] = [out.write_jsonl(con, jsonl[source], folder)]
        else:
            query, delimiter, bom = csv[source]
            written[source] = [out.write_csv(con, query, folder, delimiter, bom)]
    return written
