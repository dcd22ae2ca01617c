-- Sync gaps (published `sync_gaps`): every dossier an agency one-stop-shop system received
-- (agency_* extracts) that the portal (dvcqg_hoso) still does not have after N working days
-- (rulebook parameter CKMB.4 sync_gap_working_days), judged at the as-of night. The CKMB.4
-- ratio says how many are missing; this lists which. No applicant field ever enters it.
with ctx as (select * from {{ ref('int_run_context') }}),

-- the agency rows (received by the as-of night) whose dossier the portal does not have. The anti-join
-- comes first: it keeps or drops every system's row of a dossier alike, so the one-row-per-dossier
-- rule after it reads the few missing rows, not all history's (on a national year 2 M of 34 M: the node 24.2 s -> 10.5 s)
missing_in_any_system as (
    select d.*
    from {{ ref('stg_agency_dossiers') }} as d
    cross join ctx
    left join {{ ref('stg_dossiers') }} as p on p.dossier_code = d.dossier_code
    where d.received_date <= ctx.as_of_date
      and p.dossier_code is null
),

-- the same dossier exported by two systems is one dossier: keep one, the first system by name
missing as (
    select m.*
    from missing_in_any_system as m
    where not exists (
        select 1 from missing_in_any_system as o
        where o.dossier_code = m.dossier_code and o.agency_system < m.agency_system
    )
)

select
    m.dossier_code,
    m.unit_code,
    u.unit_name,
    u.province_code,
    m.procedure_code,
    m.received_date,
    cast(as_of_day.working_day_number - rcv_day.working_day_number as integer) as age_working_days,
    m.agency_system                                             as source_system,
    m.status                                                    as agency_status,
    ctx.as_of_date
from missing as m
cross join ctx
inner join {{ ref('int_calendar') }} as rcv_day on rcv_day.calendar_date = m.received_date
inner join {{ ref('int_calendar') }} as as_of_day on as_of_day.calendar_date = ctx.as_of_date
left join {{ ref('int_units') }} as u on u.unit_code = m.unit_code
where as_of_day.working_day_number - rcv_day.working_day_number
      >= cast({{ rulebook_param('CKMB.4', 'sync_gap_working_days') }} as integer)
