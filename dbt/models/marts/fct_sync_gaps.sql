-- Sync gaps (published `sync_gaps`): every dossier an agency one-stop-shop system received
-- (agency_* extracts) that the portal (dvcqg_hoso) still does not have after N working days
-- (rulebook parameter CKMB.4 sync_gap_working_days), judged at the as-of night. The CKMB.4
-- ratio says how many are missing; this lists which. No applicant field ever enters it.
with ctx as (select * from {{ ref('int_run_context') }}),

agency as (
    select d.*
    from {{ ref('stg_agency_dossiers') }} as d
    cross join ctx
    where d.received_date <= ctx.as_of_date
      -- the same dossier exported by two systems is one dossier: keep one, the first system by name
      and not exists (
          select 1 from {{ ref('stg_agency_dossiers') }} as o
          where o.dossier_code = d.dossier_code and o.agency_system < d.agency_system
      )
),

missing as (
    select a.*
    from agency as a
    left join {{ ref('stg_dossiers') }} as p on p.dossier_code = a.dossier_code
    where p.dossier_code is null
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
