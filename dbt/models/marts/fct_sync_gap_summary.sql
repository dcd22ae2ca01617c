-- Sync gaps per unit (published `sync_gap_summary`): a unit counts the gaps of every unit under
-- its authority (counts roll up along int_unit_ancestors), against the agency-received dossiers
-- old enough to be gaps (received at least N working days before the as-of night), so the share
-- is gaps / dossiers that should be on the portal by now. Units with no such dossier are absent.
with ctx as (select * from {{ ref('int_run_context') }}),

eligible as (
    select d.dossier_code, d.unit_code
    from {{ ref('stg_agency_dossiers') }} as d
    cross join ctx
    inner join {{ ref('int_calendar') }} as rcv_day on rcv_day.calendar_date = d.received_date
    inner join {{ ref('int_calendar') }} as as_of_day on as_of_day.calendar_date = ctx.as_of_date
    where d.received_date <= ctx.as_of_date
      and as_of_day.working_day_number - rcv_day.working_day_number
          >= cast({{ rulebook_param('CKMB.4', 'sync_gap_working_days') }} as integer)
),

-- a dossier counts once for each unit above it, whichever systems exported it. Counting distinct
-- dossiers per ancestor over every row fanned out up the tree took 28.5 s on a national year (34 M
-- agency dossiers, bench/bench_year_night.py); instead a dossier every system files under one unit
-- (all of them, in practice) is counted at that unit and the counts summed up the tree (10.9 s), and
-- only a dossier filed under two units is counted distinct per ancestor
dossier_units as (
    select dossier_code, min(unit_code) as unit_code, max(unit_code) as other_unit_code
    from eligible
    group by dossier_code
),

per_unit as (
    select unit_code, count(*) as dossiers
    from dossier_units
    where unit_code = other_unit_code
    group by unit_code
),

received_by_ancestor as (
    select a.ancestor_code as unit_code, sum(p.dossiers) as dossiers
    from per_unit as p
    inner join {{ ref('int_unit_ancestors') }} as a on a.unit_code = p.unit_code
    group by a.ancestor_code
    union all
    select a.ancestor_code, count(distinct e.dossier_code)
    from eligible as e
    inner join {{ ref('int_unit_ancestors') }} as a on a.unit_code = e.unit_code
    where e.dossier_code in (select dossier_code from dossier_units where unit_code <> other_unit_code)
    group by a.ancestor_code
),

received as (
    select unit_code, cast(sum(dossiers) as bigint) as agency_received
    from received_by_ancestor
    group by unit_code
),

gaps as (
    select
        a.ancestor_code as unit_code,
        cast(count(*) as bigint) as gap_dossiers,
        min(g.received_date) as oldest_received_date,
        max(g.age_working_days) as oldest_age_working_days
    from {{ ref('fct_sync_gaps') }} as g
    inner join {{ ref('int_unit_ancestors') }} as a on a.unit_code = g.unit_code
    group by a.ancestor_code
)

select
    r.unit_code,
    u.unit_name,
    u.unit_type,
    u.province_code,
    r.agency_received,
    coalesce(g.gap_dossiers, 0)                                      as gap_dossiers,
    cast(coalesce(g.gap_dossiers, 0) as double) / r.agency_received  as gap_share,
    g.oldest_received_date,
    g.oldest_age_working_days,
    cast({{ rulebook_param('CKMB.4', 'sync_gap_warn_share') }} as double)  as warn_share,
    coalesce(cast(coalesce(g.gap_dossiers, 0) as double) / r.agency_received
             > cast({{ rulebook_param('CKMB.4', 'sync_gap_warn_share') }} as double), false) as above_warn_share,
    ctx.as_of_date
from received as r
cross join ctx
left join gaps as g on g.unit_code = r.unit_code
left join {{ ref('int_units') }} as u on u.unit_code = r.unit_code
