-- Catalogue criteria per scored unit and period, over procedures announced by the unit or a unit
-- under it: CKMB.1 (announced on time; one late amendment makes the procedure late for the period),
-- CKMB.2 (published on time; published in the period plus those falling due in it), and the
-- snapshot criteria CKMB.3 (all required parts) and CLGQ.1 (offered online), same for every period.
-- A ministry or province is judged on the procedures it announced (rulebook §6: Phú Thọ's 89);
-- a unit below, which announces nothing, counts for CLGQ.1 the procedures assigned to it
-- (csdl_tthc_donvi, rulebook §5a). Its CKMB.1–3 are inherited (rulebook_applicability).
with announcements as (
    select a.ancestor_code as unit_code, t.*
    from {{ ref('int_procedure_announcement_timeliness') }} as t
    inner join {{ ref('int_unit_ancestors') }} as a on a.unit_code = t.announcing_unit_code
),

announced as (
    select
        p.period_type, p.period, x.unit_code,
        count(distinct x.procedure_code) as announced,
        count(distinct x.procedure_code)
            - count(distinct case when not x.announced_on_time then x.procedure_code end) as announced_on_time
    from announcements as x
    inner join {{ ref('int_periods') }} as p on x.decision_date between p.period_start and p.eval_date
    group by p.period_type, p.period, x.unit_code
),

published as (
    select
        p.period_type, p.period, x.unit_code,
        count(distinct x.procedure_code) as due_or_published,
        count(distinct x.procedure_code)
            - count(distinct case when not x.published_on_time then x.procedure_code end) as published_on_time
    from announcements as x
    inner join {{ ref('int_periods') }} as p
        on x.published_date between p.period_start and p.eval_date
        or (x.publication_due_date between p.period_start and p.eval_date
            and (x.published_date is null or x.published_date > p.eval_date))
    group by p.period_type, p.period, x.unit_code
),

snapshot as (
    select
        a.ancestor_code as unit_code,
        count(distinct pr.procedure_code) as public_procedures,
        count(distinct case when pr.has_all_parts then pr.procedure_code end) as complete_procedures,
        count(distinct case when pr.online_level in ('partial', 'full') then pr.procedure_code end) as online_procedures
    from {{ ref('stg_procedures') }} as pr
    inner join {{ ref('int_unit_ancestors') }} as a on a.unit_code = pr.announcing_unit_code
    where pr.catalogue_status = 'public'
    group by a.ancestor_code
),

assigned as (
    select
        unit_code,
        count(distinct procedure_code) as public_procedures,
        count(distinct case when online_level in ('partial', 'full') then procedure_code end) as online_procedures
    from {{ ref('int_unit_procedures') }}
    group by unit_code
),

combined as (
    select
        u.unit_code, p.period_type, p.period,
        coalesce(an.announced_on_time, 0) as announced_on_time, coalesce(an.announced, 0) as announced,
        coalesce(pu.published_on_time, 0) as published_on_time, coalesce(pu.due_or_published, 0) as due_or_published,
        coalesce(s.complete_procedures, 0) as complete_procedures,
        coalesce(s.online_procedures, 0) as online_procedures,
        coalesce(s.public_procedures, 0) as public_procedures,
        case when u.unit_type in ('BO', 'TINH') then coalesce(s.online_procedures, 0)
             else coalesce(asg.online_procedures, 0) end as clgq_1_num,
        case when u.unit_type in ('BO', 'TINH') then coalesce(s.public_procedures, 0)
             else coalesce(asg.public_procedures, 0) end as clgq_1_den
    from {{ ref('int_units') }} as u
    cross join {{ ref('int_periods') }} as p
    left join announced as an on an.unit_code = u.unit_code and an.period_type = p.period_type and an.period = p.period
    left join published as pu on pu.unit_code = u.unit_code and pu.period_type = p.period_type and pu.period = p.period
    left join snapshot as s on s.unit_code = u.unit_code
    left join assigned as asg on asg.unit_code = u.unit_code
)

{{ unpivot_measures('combined', [
    ('CKMB.1', 'announced_on_time', 'announced'),
    ('CKMB.2', 'published_on_time', 'due_or_published'),
    ('CKMB.3', 'complete_procedures', 'public_procedures'),
    ('CLGQ.1', 'clgq_1_num', 'clgq_1_den'),
]) }}
