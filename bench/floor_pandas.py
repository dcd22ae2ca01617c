"""The pandas contender: the ten dossier criteria of bench/floor.sql, computed in pandas/numpy.

TDGQ.1, TDGQ.2, CLGQ.3, TTTT.3, MDSH.1-5, MDHL.3 (numerator, denominator) for the month of the
as-of date, per unit and every ancestor, with the same rules as bench/floor.sql and the dbt models
(rulebook §4). DuckDB is only the reader: it hands over raw.* columns and reduces each dossier's
struct lists (fees, components, e-results, databases consulted) to flags while reading, because
pandas has no vectorised operation over lists of structs (an object column of dicts would be a
per-dossier Python loop). Choosing the latest version, the working-day calendar, due dates,
supplement pauses, the verdicts, the per-unit counts and the roll-up all happen in pandas.

    python bench/floor_pandas.py WAREHOUSE OUT.parquet   # run from the repository root
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

DOSSIERS = """
select rowid as rid, MaHoSo, MaTTHC, MaCoQuan, coalesce(KenhThucHien, 1) as channel, TrangThaiHoSo as status,
       NgayTiepNhan, NgayHenTra, NgayKetThucXuLy, NgayTra, NgayTuChoi, NgayCapNhat, _extract_date, _line,
       coalesce(TaiKhoanDuocXacThucVoiVNeID = 1, false) as vneid,
       coalesce(HoSoCoThanhPhanSoHoa = 1, false) as digitised_flag,
       coalesce(DuocThanhToanTrucTuyen in (1, 2), false) as is_paid_online,
       coalesce(list_bool_or([coalesce(trim(x.DuongDanTepTinKetQua), '') <> '' for x in DanhSachGiayToKetQua]), false) as has_e_result,
       coalesce(list_bool_or([x.DuocSoHoa = 1 for x in TaiLieuNop]), false) as any_digitised,
       coalesce(list_bool_or([x.DuocTaiSuDung = 1 for x in TaiLieuNop]), false) as has_reused,
       coalesce(list_bool_or([x.DuocLayTuKhoDMQG = 1 for x in TaiLieuNop]), false) as has_store,
       coalesce(list_bool_or([x.MaCSDL = 'CSDLDC' for x in DSKetNoiCSDL]), false) as population_db,
       coalesce(len(DanhSachLePhi), 0) as fee_lines,
       coalesce(list_bool_or([x.Gia > 0 for x in DanhSachLePhi]), false) as has_nonzero_fee
from raw.dvcqg_hoso
"""
SUPPLEMENTS = """
select rowid as rid, MaHoSo, unnest(DanhSachHoSoBoSung, recursive := true)
from raw.dvcqg_hoso where len(DanhSachHoSoBoSung) > 0
"""
CRITERIA = [("TDGQ.1", "on_time", "dossiers"), ("TDGQ.2", "processing_wd", "finished"),
            ("CLGQ.3", "clgq_3_num", "clgq_3_den"), ("TTTT.3", "tttt_3_num", "tttt_3_den"),
            ("MDSH.1", "mdsh_1_num", "mdsh_1_den"), ("MDSH.2", "mdsh_2_num", "dossiers"),
            ("MDSH.3", "mdsh_3_num", "dossiers"), ("MDSH.4", "mdsh_4_num", "dossiers"),
            ("MDSH.5", "mdsh_5_num", "dossiers"), ("MDHL.3", "mdhl_3_num", "dossiers")]


def latest(df: pd.DataFrame, key: str, order: list[str]) -> pd.DataFrame:
    """The latest row per key: sort by the order columns descending, keep each key's first row."""
    return df.sort_values(order, ascending=False, kind="stable").drop_duplicates(key, keep="first")


def days(values) -> np.ndarray:
    return pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]")


class Calendar:
    """Every day of the holiday seed's years with a running working-day number (as int_calendar)."""

    def __init__(self) -> None:
        hol = days(pd.read_csv(SEEDS / "ref_holidays.csv")["holiday_date"])
        self.first = np.datetime64(f"{hol.min().astype(object).year}-01-01", "D")
        last = np.datetime64(f"{hol.max().astype(object).year}-12-31", "D")
        cal = np.arange(self.first, last + 1)
        working = (((cal.astype("int64") + 3) % 7) < 5) & ~np.isin(cal, hol)  # 1970-01-01 was a Thursday
        self.wd = np.cumsum(working)
        self.n = len(cal)
        self.date_of_wd = np.full(self.wd.max() + 2, np.datetime64("NaT"), dtype="datetime64[D]")
        self.date_of_wd[self.wd[working]] = cal[working]

    def number(self, d: np.ndarray) -> np.ndarray:
        """Working-day number of each date (NaN outside the calendar or for NaT)."""
        idx = (d - self.first).astype("int64")
        ok = ~np.isnat(d) & (idx >= 0) & (idx < self.n)
        out = np.full(len(d), np.nan)
        out[ok] = self.wd[idx[ok]]
        return out

    def working_day(self, number: np.ndarray) -> np.ndarray:
        """The working day with that number (NaT when the number is NaN or off the calendar)."""
        ok = ~np.isnan(number) & (number >= 0) & (number < len(self.date_of_wd))
        out = np.full(len(number), np.datetime64("NaT"), dtype="datetime64[D]")
        out[ok] = self.date_of_wd[number[ok].astype("int64")]
        return out


def compute(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    params = pd.read_csv(SEEDS / "rulebook_parameters.csv", dtype=str).query("rule_version == '2026'")
    param = {(r.criterion_code, r.parameter): r.value for r in params.itertuples()}
    excluded = {int(s) for s in param[("CLGQ.3", "excluded_statuses")].split("|")}
    unsatisfied_max = int(param[("MDHL.3", "unsatisfied_max_rating")])
    hours_per_day = float(param[("TDGQ.1", "hours_per_working_day")])
    all_dossiers = param[("MDSH.1", "denominator")] == "all_dossiers"

    as_of = np.datetime64(con.execute("select max(extract_date) from raw.load_log where status = 'loaded'").fetchone()[0], "D")
    month_start = as_of.astype("datetime64[M]").astype("datetime64[D]")
    eval_date = as_of  # min(month end, as-of) for the as-of date's month
    cal = Calendar()

    # procedures: latest catalogue row, time unit through the source code list
    codes = pd.read_csv(SEEDS / "ref_source_codes.csv", dtype=str)
    units_map = codes[(codes.source == "csdl_tthc") & (codes.field == "DonViThoiHan")].set_index("source_value")["code"]
    procs = latest(con.execute("select MaTTHC, YeuCauKetQuaGiay, CoPhiLePhi, ThoiHanGiaiQuyet, DonViThoiHan, _extract_date, _line "
                           "from raw.csdl_tthc").df(), "MaTTHC", ["_extract_date", "_line"])
    procs = pd.DataFrame({
        "MaTTHC": procs.MaTTHC,
        "requires_paper_result": procs.YeuCauKetQuaGiay.eq(1),
        "procedure_has_fee": procs.CoPhiLePhi.eq(1),
        "time_limit": procs.ThoiHanGiaiQuyet,
        "time_unit": procs.DonViThoiHan.str.normalize("NFC").str.strip().str.lower().map(units_map),
    })

    # dossiers: latest version, received in the month up to the as-of date
    d = latest(con.execute(DOSSIERS).df(), "MaHoSo", ["NgayCapNhat", "_extract_date", "_line"])
    received = d.NgayTiepNhan.to_numpy().astype("datetime64[D]")
    d = d[~np.isnat(received) & (received >= month_start) & (received <= as_of)].copy()
    d["received_date"] = d.NgayTiepNhan.to_numpy().astype("datetime64[D]")
    status = d.status.to_numpy()
    received_at = d.NgayTiepNhan.notna().to_numpy()
    end = d.NgayKetThucXuLy.fillna(d.NgayTra).fillna(d.NgayTuChoi).fillna(d.NgayCapNhat).to_numpy()
    withdrawn_end = d.NgayKetThucXuLy.fillna(d.NgayCapNhat).to_numpy()
    d["finished_at"] = np.where(np.isin(status, [3, 8, 9, 10]), end,
                                np.where((status == 7) & received_at, withdrawn_end, np.datetime64("NaT")))
    d = d.merge(procs, on="MaTTHC", how="left")
    d["requires_paper_result"] = d.requires_paper_result.fillna(False).astype(bool)
    d["procedure_has_fee"] = d.procedure_has_fee.fillna(False).astype(bool)

    # supplement cycles of the latest versions: pause in working days, pending request, count
    s = con.execute(SUPPLEMENTS).df()
    s = s[s.rid.isin(d.rid)].copy()
    s["req_wd"] = cal.number(s.NgayYeuCauBoSung.to_numpy().astype("datetime64[D]"))
    s = s[~np.isnan(s.req_wd)]
    s["sup_wd"] = cal.number(s.NgayBoSung.to_numpy().astype("datetime64[D]"))
    s["paused"] = np.where(s.NgayBoSung.notna(), s.sup_wd - s.req_wd, 0.0)
    s["pending"] = s.NgayYeuCauBoSung.where(s.NgayBoSung.isna())
    cycles = s.groupby("MaHoSo").agg(cycles=("req_wd", "size"), paused=("paused", "sum"), pending=("pending", "max"))
    d = d.merge(cycles, left_on="MaHoSo", right_index=True, how="left")
    d["cycles"] = d.cycles.fillna(0)
    d["paused"] = d.paused.fillna(0)
    d["pending"] = d.pending.where(d.cycles == 1)

    # due date: NgayHenTra, else received + limit (working days, hours, days), then + paused working days
    rcv_wd = cal.number(d.received_date.to_numpy().astype("datetime64[D]"))
    limit = d.time_limit.to_numpy(dtype=float)
    unit = d.time_unit.to_numpy()
    due_at = d.NgayHenTra.to_numpy()
    base = np.where(~np.isnat(due_at), due_at.astype("datetime64[D]"),
           np.where(unit == "working_days", cal.working_day(rcv_wd + np.ceil(limit)),
           np.where(unit == "hours", cal.working_day(rcv_wd + np.ceil(limit / hours_per_day)),
           np.where(unit == "days", d.received_date.to_numpy().astype("datetime64[D]")
                    + np.nan_to_num(np.ceil(limit)).astype("timedelta64[D]"), np.datetime64("NaT"))))).astype("datetime64[D]")
    base[(unit == "days") & np.isnan(limit) & np.isnat(due_at)] = np.datetime64("NaT")
    paused = d.paused.to_numpy()
    due = np.where(paused == 0, base, cal.working_day(cal.number(base) + paused)).astype("datetime64[D]")
    due[np.isnat(base)] = np.datetime64("NaT")

    # verdict at the month's evaluation date
    finished = d.finished_at.to_numpy()
    stopped = np.where(np.isnat(finished), d.pending.to_numpy().astype("datetime64[us]"), finished)
    not_yet_due = (due - np.timedelta64(1, "D")) >= eval_date
    has_due = ~np.isnat(due)
    on_time = np.select(
        [d.cycles.to_numpy() > 1, ~has_due,
         ~np.isnat(stopped) & np.isnat(finished),
         ~np.isnat(due_at) & (paused == 0) & ~np.isnat(finished),
         ~np.isnat(finished)],
        [False, True,
         (stopped.astype("datetime64[D]") <= due) | not_yet_due,
         (finished <= due_at) | not_yet_due,
         (finished.astype("datetime64[D]") <= due) | not_yet_due],
        default=not_yet_due)
    processing_wd = np.where(np.isnat(finished), np.nan,
                             cal.number(finished.astype("datetime64[D]")) - rcv_wd - paused)

    ratings = latest(con.execute("select MaHoSo, MucDo, NgayDanhGia, _extract_date, _line from raw.dvcqg_danhgia").df(),
                     "MaHoSo", ["NgayDanhGia", "_extract_date", "_line"])
    unsatisfied_codes = ratings.MaHoSo[ratings.MucDo <= unsatisfied_max]
    pakn = latest(con.execute("select MaPAKN, MaHoSo, NgayCapNhat, _extract_date, _line from raw.dvcqg_pakn").df(),
                  "MaPAKN", ["NgayCapNhat", "_extract_date", "_line"])
    feedback_codes = pakn.MaHoSo.str.strip().replace("", np.nan).dropna()

    paper = d.requires_paper_result.to_numpy()
    e_result = d.has_e_result.to_numpy()
    fee_ok = d.procedure_has_fee.to_numpy() & ~((d.fee_lines.to_numpy() > 0) & ~d.has_nonzero_fee.to_numpy())
    clgq_3_den = ~np.isin(status, list(excluded))
    mdsh_1_den = np.full(len(d), all_dossiers) | paper
    f = pd.DataFrame({
        "unit_code": d.MaCoQuan.to_numpy(),
        "dossiers": 1,
        "on_time": on_time,
        "finished": ~np.isnat(finished),
        "processing_wd": processing_wd,
        "clgq_3_den": clgq_3_den,
        "clgq_3_num": clgq_3_den & (d.channel.to_numpy() == 2) & (~paper | e_result),
        "tttt_3_den": fee_ok,
        "tttt_3_num": fee_ok & d.is_paid_online.to_numpy(),
        "mdsh_1_den": mdsh_1_den,
        "mdsh_1_num": mdsh_1_den & e_result,
        "mdsh_2_num": (d.digitised_flag.to_numpy() | d.any_digitised.to_numpy()) & (~paper | e_result),
        "mdsh_3_num": d.has_reused.to_numpy(),
        "mdsh_4_num": d.has_store.to_numpy(),
        "mdsh_5_num": d.vneid.to_numpy() | d.population_db.to_numpy(),
        "mdhl_3_num": on_time & ~d.MaHoSo.isin(unsatisfied_codes).to_numpy() & ~d.MaHoSo.isin(feedback_codes).to_numpy(),
    })
    per_unit = f.groupby("unit_code").sum()

    # every (unit, ancestor) pair including itself, walked level by level (at most 10 levels)
    units = latest(con.execute("select MaCoQuan, MaCoQuanCha, _extract_date, _line from raw.dvcqg_coquan").df(),
                   "MaCoQuan", ["_extract_date", "_line"])
    parent = units.set_index("MaCoQuan").MaCoQuanCha.str.strip().replace("", np.nan)
    pairs = [pd.DataFrame({"unit_code": units.MaCoQuan, "ancestor_code": units.MaCoQuan})]
    step = pd.DataFrame({"unit_code": units.MaCoQuan, "ancestor_code": parent.reindex(units.MaCoQuan).to_numpy()})
    for _ in range(10):
        step = step[step.ancestor_code.isin(parent.index)]
        if step.empty:
            break
        pairs.append(step)
        step = step.assign(ancestor_code=parent.reindex(step.ancestor_code).to_numpy())
    ancestors = pd.concat(pairs, ignore_index=True)

    rolled = per_unit.merge(ancestors, left_index=True, right_on="unit_code").drop(columns="unit_code") \
                     .groupby("ancestor_code").sum()
    return pd.concat([pd.DataFrame({"unit_code": rolled.index, "criterion_code": code,
                                    "numerator": rolled[num].to_numpy(dtype=float),
                                    "denominator": rolled[den].to_numpy(dtype=float)})
                      for code, num, den in CRITERIA], ignore_index=True)


def main() -> None:
    warehouse, out = sys.argv[1], sys.argv[2]
    t = time.perf_counter()
    con = duckdb.connect(warehouse, read_only=True, config={"threads": 2, "memory_limit": "5GB"})
    con.execute("set enable_progress_bar = false")
    result = compute(con)
    con.close()
    print(f"COMPUTE {time.perf_counter() - t:.3f}")
    result.to_parquet(out)


if __name__ == "__main__":
    main()
