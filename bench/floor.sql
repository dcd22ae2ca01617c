-- The hand-written DuckDB floor: one query that computes the ten dossier criteria
-- TDGQ.1, TDGQ.2, CLGQ.3, TTTT.3, MDSH.1-5, MDHL.3 (numerator, denominator) for the month of the
-- as-of date, for every unit and every ancestor of it, straight from raw.* — no intermediate
-- tables. It is what the marts build is measured against (bench/bench_index.py), so it follows the
-- same rules as dbt/models (rulebook §4) but none of its structure:
--   * a dossier is its latest version (NgayCapNhat, then _extract_date, then _line, all desc);
--   * as-of date = the latest loaded night (raw.load_log); the month is judged at
--     eval = min(month end, as-of): on time ⇔ finished by the due date, or open and not yet due;
--   * due date = NgayHenTra, else received + the procedure's limit in working days (hours / 8
--     per working day) or calendar days; supplement pauses (request → supplied, in working days)
--     push it; > 1 supplement cycle ⇒ overdue; one pending request stops the clock at the request;
--   * working days = not Sat/Sun and not in seeds/ref_holidays.csv;
--   * rulebook parameters (rule version 2026) and source code lists come from the seed CSVs.
-- Run with the repository root as the working directory (the seeds are read by relative path).
with
params as (
    select
        max(value) filter (where criterion_code = 'MDSH.1' and parameter = 'denominator') as mdsh_1_denominator,
        max(value) filter (where criterion_code = 'CLGQ.3' and parameter = 'excluded_statuses') as clgq_3_excluded,
        cast(max(value) filter (where criterion_code = 'MDHL.3' and parameter = 'unsatisfied_max_rating') as integer)
            as unsatisfied_max,
        cast(max(value) filter (where criterion_code = 'TDGQ.1' and parameter = 'hours_per_working_day') as double)
            as hours_per_day
    from read_csv('seeds/rulebook_parameters.csv', header = true, all_varchar = true)
    where rule_version = '2026'
),

ctx as (
    select as_of,
           cast(date_trunc('month', as_of) as date) as month_start,
           least(last_day(as_of), as_of) as eval_date
    from (select max(extract_date) as as_of from raw.load_log where status = 'loaded')
),

holidays as (
    select cast(holiday_date as date) as d from read_csv('seeds/ref_holidays.csv', header = true)
),

-- every day of the holiday seed's years with a running working-day number
calendar as (
    select d as calendar_date,
           isodow(d) < 6 and d not in (select d from holidays) as is_working,
           sum(case when isodow(d) < 6 and d not in (select d from holidays) then 1 else 0 end)
               over (order by d) as wd
    from (select cast(unnest(generate_series(
                     (select date_trunc('year', min(d)) from holidays),
                     (select date_trunc('year', max(d)) + interval 1 year - interval 1 day from holidays),
                     interval 1 day)) as date) as d)
),
working as (select wd, calendar_date from calendar where is_working),

time_units as (
    select source_value, code from read_csv('seeds/ref_source_codes.csv', header = true, all_varchar = true)
    where source = 'csdl_tthc' and field = 'DonViThoiHan'
),

procedures as (
    select p.MaTTHC,
           coalesce(p.YeuCauKetQuaGiay = 1, false) as requires_paper_result,
           coalesce(p.CoPhiLePhi = 1, false) as has_fee,
           p.ThoiHanGiaiQuyet as time_limit,
           u.code as time_unit
    from raw.csdl_tthc as p
    left join time_units as u on u.source_value = lower(trim(nfc_normalize(p.DonViThoiHan)))
    qualify row_number() over (partition by p.MaTTHC order by p._extract_date desc, p._line desc) = 1
),

-- latest version of every dossier that has a version received in the month (a dossier whose latest
-- version is received in the month is among them, so the month never needs all of history)
latest as (
    select h.MaHoSo, h.MaTTHC, h.MaCoQuan, coalesce(h.KenhThucHien, 1) as channel, h.TrangThaiHoSo as status,
           h.NgayTiepNhan as received_at, cast(h.NgayTiepNhan as date) as received_date, h.NgayHenTra as due_at,
           case
               when h.TrangThaiHoSo in (3, 8, 9, 10)
                   then coalesce(h.NgayKetThucXuLy, h.NgayTra, h.NgayTuChoi, h.NgayCapNhat)
               when h.TrangThaiHoSo = 7 and h.NgayTiepNhan is not null
                   then coalesce(h.NgayKetThucXuLy, h.NgayCapNhat)
           end as finished_at,
           coalesce(list_bool_or([coalesce(trim(x.DuongDanTepTinKetQua), '') <> '' for x in h.DanhSachGiayToKetQua]), false)
               as has_e_result,
           coalesce(h.HoSoCoThanhPhanSoHoa = 1, false)
               or coalesce(list_bool_or([x.DuocSoHoa = 1 for x in h.TaiLieuNop]), false) as has_digitised,
           coalesce(list_bool_or([x.DuocTaiSuDung = 1 for x in h.TaiLieuNop]), false) as has_reused,
           coalesce(list_bool_or([x.DuocLayTuKhoDMQG = 1 for x in h.TaiLieuNop]), false) as has_store,
           coalesce(h.TaiKhoanDuocXacThucVoiVNeID = 1, false)
               or coalesce(list_bool_or([x.MaCSDL = 'CSDLDC' for x in h.DSKetNoiCSDL]), false) as uses_population,
           coalesce(h.DuocThanhToanTrucTuyen in (1, 2), false) as is_paid_online,
           coalesce(len(h.DanhSachLePhi), 0) > 0
               and not coalesce(list_bool_or([x.Gia > 0 for x in h.DanhSachLePhi]), false) as all_fees_zero,
           h.DanhSachHoSoBoSung as supplements
    from raw.dvcqg_hoso as h
    where h.MaHoSo in (select MaHoSo from raw.dvcqg_hoso, ctx
                       where NgayTiepNhan >= month_start and cast(NgayTiepNhan as date) <= as_of)
    qualify row_number() over (partition by h.MaHoSo order by h.NgayCapNhat desc, h._extract_date desc, h._line desc) = 1
),

month_dossiers as (
    select l.* exclude (supplements), len(l.supplements) > 0 as has_supplements
    from latest as l, ctx
    where l.received_date >= ctx.month_start and l.received_date <= ctx.as_of
),

supplement_cycles as (
    select c.MaHoSo,
           count(*) as cycles,
           sum(case when c.supplied_at is not null then sup.wd - req.wd else 0 end) as paused,
           max(case when c.supplied_at is null then c.requested_at end) as pending_request_at
    from (select MaHoSo, unnest(supplements, recursive := true)
          from latest where len(supplements) > 0) as c(MaHoSo, requested_at, supplied_at)
    join calendar as req on req.calendar_date = cast(c.requested_at as date)
    left join calendar as sup on sup.calendar_date = cast(c.supplied_at as date)
    group by c.MaHoSo
),

ratings as (
    select MaHoSo, MucDo as rating
    from raw.dvcqg_danhgia
    qualify row_number() over (partition by MaHoSo order by NgayDanhGia desc, _extract_date desc, _line desc) = 1
),

feedback_dossiers as (
    select distinct nullif(trim(MaHoSo), '') as MaHoSo
    from raw.dvcqg_pakn
    qualify row_number() over (partition by MaPAKN order by NgayCapNhat desc, _extract_date desc, _line desc) = 1
),

timed as (
    select d.*,
           coalesce(p.requires_paper_result, false) as requires_paper_result,
           coalesce(p.has_fee, false) as procedure_has_fee,
           p.time_unit, p.time_limit,
           coalesce(s.cycles, 0) as cycles,
           coalesce(s.paused, 0) as paused,
           case when s.cycles = 1 then s.pending_request_at end as pending_request_at,
           rcv.wd as received_wd,
           case
               when d.due_at is not null then cast(d.due_at as date)
               when p.time_unit = 'working_days' then wdue.calendar_date
               when p.time_unit = 'hours' then hdue.calendar_date
               when p.time_unit = 'days' then cast(d.received_date + cast(ceil(p.time_limit) as integer) as date)
           end as base_due_date
    from month_dossiers as d
    cross join params
    left join procedures as p on p.MaTTHC = d.MaTTHC
    left join supplement_cycles as s on s.MaHoSo = d.MaHoSo
    left join calendar as rcv on rcv.calendar_date = d.received_date
    left join working as wdue on wdue.wd = rcv.wd + ceil(p.time_limit)
    left join working as hdue on hdue.wd = rcv.wd + ceil(p.time_limit / params.hours_per_day)
),

due as (
    select t.*,
           coalesce(t.finished_at, t.pending_request_at) as clock_stopped_at,
           case when t.base_due_date is null then null
                when t.paused = 0 then t.base_due_date
                else shifted.calendar_date end as due_date
    from timed as t
    left join calendar as base on base.calendar_date = t.base_due_date
    left join working as shifted on shifted.wd = base.wd + t.paused
),

judged as (
    select d.*,
           case
               when d.cycles > 1 then false
               when d.due_date is null then true
               when d.clock_stopped_at is not null and d.finished_at is null
                   then cast(d.clock_stopped_at as date) <= d.due_date or d.due_date - 1 >= ctx.eval_date
               when d.due_at is not null and d.paused = 0 and d.finished_at is not null
                   then d.finished_at <= d.due_at or d.due_date - 1 >= ctx.eval_date
               when d.finished_at is not null
                   then cast(d.finished_at as date) <= d.due_date or d.due_date - 1 >= ctx.eval_date
               else d.due_date - 1 >= ctx.eval_date
           end as on_time,
           case when d.finished_at is not null then fin.wd - d.received_wd - d.paused end as processing_wd,
           coalesce(r.rating <= params.unsatisfied_max, false) as unsatisfied,
           f.MaHoSo is not null as has_feedback,
           position('|' || cast(d.status as varchar) || '|' in '|' || params.clgq_3_excluded || '|') = 0 as clgq_3_den,
           params.mdsh_1_denominator = 'all_dossiers' or d.requires_paper_result as mdsh_1_den
    from due as d
    cross join ctx
    cross join params
    left join calendar as fin on fin.calendar_date = cast(d.finished_at as date)
    left join ratings as r on r.MaHoSo = d.MaHoSo
    left join feedback_dossiers as f on f.MaHoSo = d.MaHoSo
),

per_unit as (
    select MaCoQuan as unit_code,
           count(*) as dossiers,
           count(*) filter (where on_time) as on_time,
           count(finished_at) as finished,
           sum(processing_wd) as processing_wd,
           count(*) filter (where clgq_3_den) as clgq_3_den,
           count(*) filter (where clgq_3_den and channel = 2 and (not requires_paper_result or has_e_result)) as clgq_3_num,
           count(*) filter (where procedure_has_fee and not all_fees_zero) as tttt_3_den,
           count(*) filter (where procedure_has_fee and not all_fees_zero and is_paid_online) as tttt_3_num,
           count(*) filter (where mdsh_1_den) as mdsh_1_den,
           count(*) filter (where mdsh_1_den and has_e_result) as mdsh_1_num,
           count(*) filter (where has_digitised and (not requires_paper_result or has_e_result)) as mdsh_2_num,
           count(*) filter (where has_reused) as mdsh_3_num,
           count(*) filter (where has_store) as mdsh_4_num,
           count(*) filter (where uses_population) as mdsh_5_num,
           count(*) filter (where on_time and not unsatisfied and not has_feedback) as mdhl_3_num
    from judged
    group by MaCoQuan
),

units as (
    select MaCoQuan as unit_code, nullif(trim(MaCoQuanCha), '') as parent_code
    from raw.dvcqg_coquan
    qualify row_number() over (partition by MaCoQuan order by _extract_date desc, _line desc) = 1
),

ancestors as (
    with recursive walk(unit_code, ancestor_code, next_code, depth) as (
        select unit_code, unit_code, parent_code, 0 from units
        union all
        select w.unit_code, u.unit_code, u.parent_code, w.depth + 1
        from walk as w join units as u on u.unit_code = w.next_code
        where w.depth < 10
    )
    select unit_code, ancestor_code from walk
),

rolled as (
    select a.ancestor_code as unit_code,
           sum(columns(c.* exclude (unit_code)))
    from per_unit as c
    join ancestors as a on a.unit_code = c.unit_code
    group by a.ancestor_code
)

select unit_code, criterion_code, cast(numerator as double) as numerator, cast(denominator as double) as denominator
from (
    select unit_code, unnest([
        {'criterion_code': 'TDGQ.1', 'numerator': on_time,       'denominator': dossiers},
        {'criterion_code': 'TDGQ.2', 'numerator': processing_wd, 'denominator': finished},
        {'criterion_code': 'CLGQ.3', 'numerator': clgq_3_num,    'denominator': clgq_3_den},
        {'criterion_code': 'TTTT.3', 'numerator': tttt_3_num,    'denominator': tttt_3_den},
        {'criterion_code': 'MDSH.1', 'numerator': mdsh_1_num,    'denominator': mdsh_1_den},
        {'criterion_code': 'MDSH.2', 'numerator': mdsh_2_num,    'denominator': dossiers},
        {'criterion_code': 'MDSH.3', 'numerator': mdsh_3_num,    'denominator': dossiers},
        {'criterion_code': 'MDSH.4', 'numerator': mdsh_4_num,    'denominator': dossiers},
        {'criterion_code': 'MDSH.5', 'numerator': mdsh_5_num,    'denominator': dossiers},
        {'criterion_code': 'MDHL.3', 'numerator': mdhl_3_num,    'denominator': dossiers}
    ], recursive := true)
    from rolled
)
order by unit_code, criterion_code
