"""Dossiers and their nightly versions, generated set-based in DuckDB.

Every random draw is `rnd(h, tag)`: a hash of the seed, the dossier's own key and a tag. A dossier
therefore depends only on (seed, unit, day, sequence) — not on which provinces or nights were
asked for — so a two-province run is an exact subset of the national one, and night D has the
same bytes whatever range it was generated in (up to updates of dossiers received more than
LEAD_DAYS before the first night, which are not generated).

A dossier's life is a list of events (received, processing, supplement cycles, an end state,
returned). The portal syncs the dossier's state once per night it changed, so events are collapsed
to the last one per (dossier, Vietnam day): one version per night, NgayCapNhat in that night.
"""
from __future__ import annotations

from datetime import date, timedelta

import duckdb

from .calendar import MEAN_DAY_FACTOR

MONTH_VOLUME = 5_000_000  # dossiers received nationally in a 30-day month at scale 1
LEAD_DAYS = 30  # dossiers received this long before the first night still send updates


def build_unit_days(con: duckdb.DuckDBPyConnection, scale: float, count_start: date, end: date) -> None:
    """Dossiers received per unit per day, for every receiving unit: `unit_day(code, d, cum, n)`.
    The expected count is the unit's share of the national volume (so a province has the same
    volume in a national and a restricted run) times the day's factor (weekends, holidays)."""
    per_day = scale * MONTH_VOLUME / 30 / MEAN_DAY_FACTOR
    con.execute(f"""
    create or replace table unit_day as
    select u.code, u.grp, c.d, c.cum,
           floor({per_day} * u.weight / (select sum(weight) from units where valid_to is null) * c.day_factor
                 + rnd(u.code || c.d, 'n'))::int as n
    from units u join cal c on c.d between date '{count_start}' and date '{end}'
    -- a unit receives dossiers only while it exists (the old map until 30 June 2025, the new one after)
    where u.selected and u.weight > 0 and u.grp in (select grp from picks)
      and c.d between u.valid_from and coalesce(u.valid_to, date '9999-12-31')
    order by c.d, u.code
    """)


def build_dossiers(con: duckdb.DuckDBPyConnection, first: date) -> None:
    """One row per dossier received from `first` on, with its whole future already decided."""
    con.execute(f"""
    create or replace table dossier as
    with x as (
        select code, grp, d, cum, unnest(range(1, n + 1)) as seq from unit_day where d >= date '{first}'
    ), y as (
        -- the popularity rank is drawn before joining, so the join is on equal keys
        select x.*, 1 + floor(g.n_grp * pow(rnd(h, 'proc'), 2.2))::int as pick_rank
        from (select x.*, hash(code, d, seq) as h from x) x
        join (select distinct grp, n_grp from picks) g using (grp)
    ), z as (
        select y.*, k.MaTTHC, k.ThoiHanGiaiQuyet as N, k.DonViThoiHan as dv, k.MucDoDVC, k.CoPhiLePhi, k.fee,
               k.YeuCauKetQuaGiay, k.DoiTuongThucHien,
               u.scope, u.system, u.place, u.province_name, u.p_ontime, u.p_online, u.p_payonline, u.p_digit,
               u.p_reuse, u.p_kho, u.p_vneid, u.p_csdldc, u.p_eresult, u.p_unsat, u.p_rate, u.p_pakn_ontime, u.sync_rate
        from y join units u using (code) join picks k
          on k.grp = y.grp and k.rank = y.pick_rank
    ), c as (
        select z.*,
            code || '-' || strftime(d, '%y%m%d') || '-' || lpad(seq::varchar, 5, '0') as MaHoSo,
            case when MucDoDVC <> 'none' and rnd(h, 'ch') < p_online then 2
                 when rnd(h, 'ch2') < 0.03 then 3 when rnd(h, 'ch3') < 0.3 then null else 1 end as channel,
            rnd(h, 'out') as u_out, rnd(h, 'ot') < p_ontime as on_time, rnd(h, 'f') as u_f
        from z
    ), t as (
        select c.*,
            d::timestamp + to_seconds(floor(case when channel = 2 then 25200 + 36000 * rnd(h, 't') else 27000 + 34200 * rnd(h, 't') end)::bigint) as recv_ts,
            case when on_time then pow(u_f, 1.6) else 1.1 + 0.7 * u_f end as f
        from c
    ), k as (
        select t.*,
            case when on_time then least(N, floor(f * N)) else greatest(N + 1, ceil(f * N)) end::int as k_wd,
            epoch(recv_ts - d::timestamp)::bigint as tod
        from t
    ), due as (
        select k.*,
            case dv when 'ngày làm việc' then w1.d::timestamp + to_seconds(tod)
                    when 'ngày' then recv_ts + to_days(N) else recv_ts + to_hours(N) end as due_ts,
            case dv when 'ngày làm việc' then
                    case when k_wd = 0 then recv_ts + to_seconds(floor(600 + greatest(0, 63000 - tod) * rnd(h, 'e'))::bigint)
                         else w2.d::timestamp + to_seconds(floor(27000 + 34200 * rnd(h, 'e'))::bigint) end
                 else recv_ts + to_seconds(floor(f * N * case dv when 'ngày' then 86400 else 3600 end)::bigint) end as end_raw
        from k left join wd w1 on w1.idx = k.cum + k.N left join wd w2 on w2.idx = k.cum + k.k_wd
    ), sup as (
        select due.*,
            case when on_time then least(end_raw, due_ts) else greatest(end_raw, due_ts + to_seconds(3600)) end as end0,
            u_out >= 0.03 and rnd(h, 'sup') < 0.06 and N >= 3 and dv <> 'giờ' as has_sup,
            rnd(h, 'nosup') < 0.1 as never_supplied,
            rnd(h, 'sup2') < 0.15 as has_sup2
        from due
    ), s1 as (
        select sup.*,
            case when has_sup then recv_ts + to_seconds(floor(0.3 * epoch(end0 - recv_ts))::bigint) end as req1
        from sup
    ), s2 as (
        select s1.*,
            case when has_sup and not never_supplied then req1 + to_seconds(floor(86400 * (1 + 4 * rnd(h, 's1')))::bigint) end as sup1
        from s1
    ), s3 as (
        select s2.*,
            case when has_sup2 then sup1 + to_seconds(floor(0.2 * epoch(end0 - recv_ts))::bigint) end as req2
        from s2
    ), s4 as (
        select s3.*,
            case when req2 is not null then req2 + to_seconds(floor(86400 * (1 + 2 * rnd(h, 's2')))::bigint) end as sup2
        from s3
    ), fin as (
        select s4.*,
            case when has_sup and never_supplied then null
                 -- the clock stops while the applicant supplements: work resumes that many whole days later
                 else end0 + to_days((ceil(coalesce(epoch(sup1 - req1), 0) / 86400) + ceil(coalesce(epoch(sup2 - req2), 0) / 86400))::int) end as end_ts,
            case when u_out < 0.015 then 3 when u_out < 0.025 then 7 when u_out < 0.03 then 8
                 when has_sup and never_supplied then null else 9 end as term_status
        from s4
    ), term as (
        select fin.*,
            case term_status when 3 then recv_ts + to_seconds(floor(1800 + 129600 * rnd(h, 'ref'))::bigint)
                 when 9 then end_ts
                 when 7 then recv_ts + to_seconds(floor(0.5 * epoch(end0 - recv_ts))::bigint)
                 when 8 then recv_ts + to_seconds(floor(0.6 * epoch(end0 - recv_ts))::bigint) end as term_ts
        from fin
    )
    select h, MaHoSo, code as MaCoQuan, scope, system, place, province_name, d, MaTTHC, N, dv, channel,
        case when channel = 2 then recv_ts - to_seconds(floor(60 + 72000 * pow(rnd(h, 'sub'), 2))::bigint) else recv_ts end as submit_ts,
        recv_ts, due_ts, end_ts, term_status, term_ts,
        case when term_status = 9 then end_ts + to_seconds(floor(case when rnd(h, 'ret') < 0.8 then 300 + 7200 * rnd(h, 'ret2')
                                                                     else 43200 + 300000 * rnd(h, 'ret2') end)::bigint) end as ret_ts,
        case when recv_ts + to_seconds(floor(1800 + 9000 * rnd(h, 'p'))::bigint) < least(req1, term_ts)
             then recv_ts + to_seconds(floor(1800 + 9000 * rnd(h, 'p'))::bigint) end as proc_ts,
        req1, sup1, req2, sup2,
        rnd(h, 'sync') < sync_rate as synced,
        -- a synced dossier reaches the portal late one time in twenty: 1–8 working days after receipt
        case when rnd(h, 'sync') < sync_rate and rnd(h, 'late') < 0.05
             then (select w.d from wd w where w.idx = term.cum + 1 + floor(8 * rnd(h, 'lag'))::int) end as sync_day,
        case when list_contains(DoiTuongThucHien, 'CONG_DAN') and (not list_contains(DoiTuongThucHien, 'DOANH_NGHIEP') or rnd(h, 'lodt') < 0.75) then 1
             when list_contains(DoiTuongThucHien, 'DOANH_NGHIEP') then 2 when rnd(h, 'lodt') < 0.1 then 3 else 4 end as lodt,
        (coalesce(channel, 1) = 2 and rnd(h, 'vneid') < p_vneid)::int as vneid,
        rnd(h, 'csdl') < p_csdldc as csdldc,
        rnd(h, 'dig') < p_digit as digitised,
        rnd(h, 'reuse') < p_reuse as reused,
        rnd(h, 'kho') < p_kho as from_store,
        rnd(h, 'eres') < p_eresult as eresult,
        CoPhiLePhi = 1 as has_fee, fee, rnd(h, 'exempt') < 0.15 as fee_exempt,
        CoPhiLePhi = 1 and rnd(h, 'pay') < p_payonline as paid_online,
        1 + floor(3 * rnd(h, 'ncomp'))::int as n_comp,
        p_unsat, p_rate, p_pakn_ontime
    from term
    """)


def build_versions(con: duckdb.DuckDBPyConnection, start: date, end: date) -> None:
    """`versions`: the dossier's state at its last event of each Vietnam day inside the nights."""
    events = ("[{'s': 2, 't': recv_ts}, {'s': 4, 't': proc_ts}, {'s': 5, 't': req1}, {'s': 4, 't': sup1}, "
              "{'s': 5, 't': req2}, {'s': 4, 't': sup2}, {'s': term_status, 't': term_ts}, {'s': 10, 't': ret_ts}]")
    con.execute(f"""
    create or replace table versions as
    select g.day, g.s, g.t, d.* from ({collapse_by_day('dossier', 'h', events, start, end)}) g join dossier d using (h)
    order by g.day, g.t, d.MaHoSo
    """)



def collapse_by_day(source: str, key: str, events: str, start: date, end: date) -> str:
    """SQL: the last event (struct s, t) of each (key, Vietnam day) inside the nights."""
    hi = end + timedelta(days=1)
    return f"""
    select {key}, e.t::date as day, arg_max(e.s, e.t) as s, max(e.t) as t
    from (select {key}, unnest({events}) as e from {source})
    where e.t >= timestamp '{start}' and e.t < timestamp '{hi}' and e.s is not null
    group by {key}, e.t::date
    """


def build_feedback(con: duckdb.DuckDBPyConnection, start: date, end: date) -> None:
    """Ratings (`ratings`) and feedback/petitions with their versions (`pakn_versions`).
    A small share of dossiers draw a PAKN about their unit; handling is on time with the unit's
    latent rate (15 working days is about 21 calendar days)."""
    hi = end + timedelta(days=1)
    con.execute(f"""
    create or replace table ratings as
    select ret_ts::timestamp + to_seconds(floor(600 + 172800 * rnd(h, 'rate_t'))::bigint) as rated_at, MaHoSo,
           case when rnd(h, 'sat') < p_unsat then 1 + floor(2 * rnd(h, 'sat2'))::int else 3 + floor(3 * rnd(h, 'sat2'))::int end as MucDo
    from dossier where synced and ret_ts is not null and rnd(h, 'rate') < p_rate;
    delete from ratings where rated_at < timestamp '{start}' or rated_at >= timestamp '{hi}';
    create or replace table pakn as
    with a as (
        select h, MaCoQuan, case when synced and rnd(h, 'pk_link') < 0.6 then MaHoSo end as MaHoSo, 'PAKN-' || MaHoSo as MaPAKN,
               case when rnd(h, 'pk_kind') < 0.6 then 'QUY_DINH' else 'HANH_VI' end as PhanLoai,
               d::timestamp + to_seconds(floor(86400 * (1 + floor(9 * rnd(h, 'pk_recv'))) + 25200 + 39600 * rnd(h, 'pk_recv_t'))::bigint) as pk_recv,
               rnd(h, 'pk_ontime') < p_pakn_ontime as pk_ontime, rnd(h, 'pk_unsat') < 2 * p_unsat + 0.1 as pk_unsat
        from dossier where rnd(h, 'pakn') < 0.005
    ), b as (
        select a.*, case when rnd(h, 'pk_tr') < 0.4 then pk_recv + to_seconds(floor(86400 * (1 + rnd(h, 'pk_tr2')))::bigint) end as pk_transfer
        from a
    ), c as (
        select b.*, coalesce(pk_transfer, pk_recv) + to_seconds(floor(86400 * case when pk_ontime then 1 + 17 * rnd(h, 'pk_h')
                                                                              else 25 + 20 * rnd(h, 'pk_h') end)::bigint) as pk_handled
        from b
    )
    select c.*, pk_handled + to_seconds(floor(3600 + 120000 * rnd(h, 'pk_pub'))::bigint) as pk_published,
           floor(15 * rnd(h, 'like'))::int as likes,
           case when pk_unsat then 3 + floor(10 * rnd(h, 'dislike'))::int else floor(3 * rnd(h, 'dislike'))::int end as dislikes,
           (rnd(h, 'reraise') < 0.08)::int as reraised
    from c;
    create or replace table pakn_versions as
    select v.day, v.s, v.t, p.* from ({collapse_by_day('pakn', 'h', "[{'s': 1, 't': pk_recv}, {'s': 2, 't': pk_transfer}, {'s': 3, 't': pk_handled}, {'s': 4, 't': pk_published}]", start, end)}) v
    join pakn p using (h) order by v.day, v.t, p.MaPAKN
    """)
