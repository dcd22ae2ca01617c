"""The procedure catalogue (CSDLQG): national procedures announced by ministries (`1.xxxxxx`) and
each province's own (`2.xxxxxx`), their announcement history, and the pick table dossiers draw from.

Tables built: `tthc` (static attributes), `tthc_events` (announcement decisions: the first one and
amendments inside the simulated months), `picks` (which procedures each receiving unit handles,
ranked by popularity). All in SQL over `range()`; nothing per row in Python.
"""
from __future__ import annotations

from datetime import date

import duckdb

from .applicants import lit

N_NATIONAL = 3000  # + 40..100 per province: ~5,400 at national scale
N_BO, N_TINH = 1250, 1150  # the rest are commune-level
COMMUNE_LIST_SHARE = 0.17  # of the national commune-level procedures, on a province's commune list

ACTIONS = ["Cấp", "Cấp lại", "Cấp đổi", "Đăng ký", "Đăng ký thay đổi", "Gia hạn", "Điều chỉnh", "Thu hồi",
           "Công nhận", "Thẩm định", "Chứng thực", "Xác nhận", "Giải quyết", "Phê duyệt", "Thông báo"]
OBJECTS = ["giấy phép kinh doanh", "giấy chứng nhận quyền sử dụng đất", "giấy phép xây dựng", "hộ kinh doanh",
           "khai sinh", "kết hôn", "khai tử", "thường trú", "bản sao từ bản chính", "chữ ký", "giấy phép lái xe",
           "chứng chỉ hành nghề", "trợ cấp xã hội", "chế độ người có công", "giấy phép lao động", "hộ chiếu",
           "văn bằng bảo hộ", "giấy chứng nhận đủ điều kiện an toàn thực phẩm", "giấy phép môi trường",
           "phương án bồi thường", "hợp đồng lao động", "bảo hiểm xã hội một lần", "thẻ bảo hiểm y tế",
           "giấy phép biểu diễn", "cơ sở giáo dục", "giấy phép khai thác", "giấy chứng nhận đầu tư",
           "phiếu lý lịch tư pháp", "giấy phép hoạt động điện lực", "tàu cá"]
WORKING_DAY_LIMITS = {"XA": [1, 1, 2, 3, 3, 5, 5, 7, 10, 15], "TINH": [3, 5, 7, 10, 10, 15, 15, 20, 20, 30],
                      "BO": [5, 10, 10, 15, 20, 20, 30, 30, 45, 60]}
FEES = [10000, 20000, 30000, 50000, 100000, 200000, 500000, 1000000]


def build(con: duckdb.DuckDBPyConnection, start: date, end: date) -> None:
    """Needs tables `units` and `dept_ministry(slot, ministry)`; macros rnd(a, b), pick(list, u)."""
    con.execute(f"""
    create or replace table tthc_raw as
    with national as (
        select '1.' || lpad((3000 + i)::varchar, 6, '0') as MaTTHC,
               case when i <= {N_BO} then 'BO' when i <= {N_BO + N_TINH} then 'TINH' else 'XA' end as level,
               null::varchar as local_scope, i
        from range(1, {N_NATIONAL} + 1) r(i)
    ), local_counts as (
        select scope, 40 + floor(60 * rnd(scope, 'nlocal'))::int as n,
               (select max(slot) from units s where s.scope = u.scope and s.kind = 'SO') as n_dept
        from units u where kind = 'TINH' and selected
    ), local as (
        select '2.' || lpad((substr(scope, 2)::int * 1000 + j)::varchar, 6, '0') as MaTTHC,
               case when rnd(scope || j, 'lvl') < 0.7 then 'TINH' else 'XA' end as level, scope as local_scope, j as i,
               1 + floor(n_dept * rnd(scope || j, 'slot'))::int as local_slot
        from local_counts, range(1, n + 1) r(j)
    )
    select n.*, null::int as local_slot from national n union all by name select * from local
    """)
    con.execute(f"""
    create or replace table tthc as
    select MaTTHC, level, local_scope,
        case level when 'BO' then 1 + floor(20 * rnd(MaTTHC, 'min'))::int
                   when 'TINH' then coalesce(local_slot, 1 + floor(15 * rnd(MaTTHC, 'slot'))::int) else 0 end as slot,
        {lit(ACTIONS)}[1 + floor({len(ACTIONS)} * rnd(MaTTHC, 'a'))::int] || ' '
            || {lit(OBJECTS)}[1 + floor({len(OBJECTS)} * rnd(MaTTHC, 'o'))::int] as TenTTHC,
        case when level = 'TINH' and rnd(MaTTHC, 'multi') < 0.08 then ['TINH', 'XA'] else [level] end as CapThucHien,
        rnd(MaTTHC, 'dv') as u_mode,
        case when rnd(MaTTHC, 'mode') < 0.45 then 'toàn trình' when rnd(MaTTHC, 'mode') < 0.85 then 'một phần' else 'none' end as MucDoDVC,
        (rnd(MaTTHC, 'paper') < 0.5)::int as YeuCauKetQuaGiay,
        (rnd(MaTTHC, 'fee') < 0.35)::int as CoPhiLePhi,
        {FEES}[1 + floor({len(FEES)} * rnd(MaTTHC, 'gia'))::int] as fee,
        case when rnd(MaTTHC, 'dt') < 0.55 then ['CONG_DAN'] when rnd(MaTTHC, 'dt') < 0.75 then ['CONG_DAN', 'DOANH_NGHIEP']
             when rnd(MaTTHC, 'dt') < 0.9 then ['DOANH_NGHIEP'] else ['CONG_DAN', 'DOANH_NGHIEP', 'TO_CHUC'] end as DoiTuongThucHien,
        (rnd(MaTTHC, 'full') < 0.97)::int as DayDuBoPhanTaoThanh,
        case when rnd(MaTTHC, 'unit') < 0.08 then 'giờ' when rnd(MaTTHC, 'unit') < 0.15 then 'ngày' else 'ngày làm việc' end as DonViThoiHan,
        rnd(MaTTHC, 'limit') as u_limit
    from tthc_raw
    """)
    con.execute(f"""
    alter table tthc add column ThoiHanGiaiQuyet int;
    update tthc set ThoiHanGiaiQuyet = case DonViThoiHan
        when 'giờ' then [4, 8, 8, 24][1 + floor(4 * u_limit)::int]
        when 'ngày' then [7, 15, 30][1 + floor(3 * u_limit)::int]
        else (case level when 'XA' then {WORKING_DAY_LIMITS['XA']} when 'TINH' then {WORKING_DAY_LIMITS['TINH']}
              else {WORKING_DAY_LIMITS['BO']} end)[1 + floor(10 * u_limit)::int] end;
    alter table tthc add column CoQuanCongBo varchar;
    update tthc set CoQuanCongBo = coalesce(local_scope, 'G' || lpad((case level when 'BO' then slot
        when 'TINH' then (select ministry from dept_ministry m where m.slot = tthc.slot)
        else [5, 5, 4, 8, 1, 6][1 + floor(6 * rnd(MaTTHC, 'xa_min'))::int] end)::varchar, 2, '0'));
    alter table tthc add column DuDieuKienToanTrinh int;
    update tthc set DuDieuKienToanTrinh = case MucDoDVC when 'toàn trình' then 1 when 'một phần' then (rnd(MaTTHC, 'eligible') < 0.3)::int else 0 end;
    """)
    # Announcement decisions: the first one (most before the simulated months, a few inside them)
    # and amendments (about 3 % of procedures a month). Whether the announcing agency met its
    # deadlines (CKMB.1 / CKMB.2) is a latent trait of the agency.
    first_month = date(start.year, start.month, 1)
    con.execute(f"""
    create or replace table tthc_events as
    with base as (
        select MaTTHC, CoQuanCongBo, 0 as k,
               date '2018-01-01' + floor(rnd(MaTTHC, 'born') * (date '{start}' - date '2018-01-01' + 45))::int as decision
        from tthc
    ), amend as (
        select MaTTHC, CoQuanCongBo, m.k,
               (m.month::date + floor(rnd(MaTTHC || m.k, 'aday') * 28)::int) as decision
        from tthc, (select row_number() over () as k, month
                    from range(date '{first_month}', date '{end}' + 1, interval 1 month) r(month)) m
        where rnd(MaTTHC || m.k, 'amend') < 0.03
    ), ev as (select * from base union all select * from amend)
    select MaTTHC, k, decision::timestamp as NgayQuyetDinhCongBo,
        (decision + case when rnd(CoQuanCongBo || MaTTHC || k, 'ontime1') < 0.75 + 0.25 * rnd(CoQuanCongBo, 'q_announce')
             then (case when CoQuanCongBo like 'G%' then 30 else 8 end) + floor(30 * rnd(MaTTHC || k, 'eff'))::int
             else floor(6 * rnd(MaTTHC || k, 'eff'))::int end)::timestamp as NgayHieuLucCanCu,
        decision::timestamp + to_seconds((case when rnd(CoQuanCongBo || MaTTHC || k, 'ontime2') < 0.75 + 0.25 * rnd(CoQuanCongBo, 'q_publish')
             then floor(5 * rnd(MaTTHC || k, 'pub')) else 8 + floor(30 * rnd(MaTTHC || k, 'pub')) end) * 86400
             + 28800 + floor(32400 * rnd(MaTTHC || k, 'pubt'))) as published_at,
        k > 0 and rnd(MaTTHC || k, 'abolish') < 0.1 as abolishes
    from ev
    """)
    # The commune list each province announces: about one national commune-level procedure in six
    # (a real commune list holds ~100-150 procedures), every procedure of the province's own at
    # commune level, and the provincial ones also carried out at commune level.
    con.execute(f"""
    create or replace table commune_list as
    select p.scope, t.MaTTHC
    from tthc t join units p on p.kind = 'TINH' and p.selected
         and list_contains(t.CapThucHien, 'XA') and (t.local_scope is null or t.local_scope = p.scope)
    where t.local_scope is not null or t.level = 'TINH' or rnd(p.scope || t.MaTTHC, 'xa_list') < {COMMUNE_LIST_SHARE}
    """)
    # Which unit each procedure is assigned to (csdl_tthc_donvi): a department its slot's (its
    # field's) procedures, every commune its province's commune list, every unit of a ministry
    # that ministry's own; in force from the procedure's first announcing decision.
    con.execute("""
    create or replace table tthc_donvi as
    with first_decision as (select MaTTHC, NgayQuyetDinhCongBo::date as applies_from from tthc_events where k = 0)
    select d.code as MaCoQuan, t.MaTTHC, f.applies_from
    from tthc t join first_decision f using (MaTTHC)
    join units d on d.kind = 'SO' and d.selected and d.slot = t.slot and list_contains(t.CapThucHien, 'TINH')
         and (t.local_scope is null or t.local_scope = d.scope)
    union all
    select c.code, l.MaTTHC, f.applies_from
    from commune_list l join first_decision f using (MaTTHC)
    join units c on c.kind = 'XA' and c.selected and c.scope = l.scope
    union all
    select u.code, t.MaTTHC, f.applies_from
    from tthc t join first_decision f using (MaTTHC)
    join units u on u.kind = 'DON_VI' and u.selected and u.parent = t.CoQuanCongBo
    where t.level = 'BO'
    """)
    # Receiving units draw procedures of their level: departments their slot's, communes their
    # province's commune list, ministry units their ministry's; the province's own procedures join in.
    con.execute(f"""
    create or replace table picks as
    with usable as (
        select t.*, unnest(t.CapThucHien) as use_level from tthc t
        where MaTTHC in (select MaTTHC from tthc_events where k = 0 and NgayQuyetDinhCongBo <= date '{start}')
    ), scoped as (
        select p.scope || '|' || u.use_level || '|' || case when u.use_level = 'TINH' then u.slot else 0 end as grp, u.*
        from usable u join units p on p.kind = 'TINH' and p.selected and u.use_level in ('TINH', 'XA')
             and (u.local_scope is null or u.local_scope = p.scope)
        where u.use_level = 'TINH' or u.MaTTHC in (select MaTTHC from commune_list l where l.scope = p.scope)
        union all
        select 'G' || lpad(slot::varchar, 2, '0') || '|BO|0' as grp, u.* from usable u where use_level = 'BO'
    )
    select grp, row_number() over (partition by grp order by rnd(MaTTHC, 'popularity'), MaTTHC) as rank,
           count(*) over (partition by grp) as n_grp,
           MaTTHC, ThoiHanGiaiQuyet, DonViThoiHan, MucDoDVC, CoPhiLePhi, fee, YeuCauKetQuaGiay, DoiTuongThucHien
    from scoped
    """)
