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

received as (
    select a.ancestor_code as unit_code, count(distinct e.dossier_code) as agency_received
    from eligible as e
    inner join {{ ref('int_unit_ancestors') }} as a on a.unit_code = e.unit_code
    group by a.ancestor_code
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
