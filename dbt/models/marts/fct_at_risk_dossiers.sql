-- Early warning (published `at_risk_dossiers`): open dossiers whose due date falls within the
-- next N working days after the as-of night (rulebook parameter TDGQ.1 at_risk_working_days).
-- Each still counts as on time today (in process, not yet due); if it misses its due date it
-- leaves the numerator of TDGQ.1 (where every one of them sits today) and that of MDHL.3 (where
-- it sits today unless rated unsatisfied or the subject of a PAKN: counts_in_mdhl_3).
-- No applicant field enters this table (the dossier code is the only key).
with ctx as (select * from {{ ref('int_run_context') }})

select
    f.dossier_code,
    f.unit_code,
    u.unit_name,
    u.province_code,
    f.procedure_code,
    p.name                                                      as procedure_name,
    f.received_date,
    f.due_date,
    cast(due_day.working_day_number - as_of_day.working_day_number as integer) as working_days_left,
    not f.is_rated_unsatisfied and not f.has_feedback           as counts_in_mdhl_3,
    ctx.as_of_date
from {{ ref('fct_dossier_criteria') }} as f
cross join ctx
inner join {{ ref('int_calendar') }} as as_of_day on as_of_day.calendar_date = ctx.as_of_date
inner join {{ ref('int_calendar') }} as due_day on due_day.calendar_date = f.due_date
left join {{ ref('int_units') }} as u on u.unit_code = f.unit_code
left join {{ ref('dim_procedure') }} as p on p.procedure_code = f.procedure_code
where f.timeliness_reason = 'open'
  and f.due_date > ctx.as_of_date
  and due_day.working_day_number - as_of_day.working_day_number
      <= cast({{ rulebook_param('TDGQ.1', 'at_risk_working_days') }} as integer)
