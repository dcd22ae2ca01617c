-- Every announcing decision judged twice (CKMB.1, CKMB.2), with N working days taken from the
-- rulebook by the announcing unit's block:
--   announced on time ⇔ decision date ≤ legal basis effective date − N working days
--   published on time ⇔ published on CSDLQG ≤ decision date + N working days
with n_days as (
    select criterion_code, block, cast(value as integer) as n
    from {{ ref('rulebook_parameters') }}
    where rule_version = '{{ var("rule_version") }}' and parameter = 'n_working_days'
)

select
    a.procedure_code,
    a.announcing_unit_code,
    a.decision_date,
    a.legal_basis_effective_date,
    a.published_date,
    coalesce(eff.working_day_number - dec.working_day_number >= n1.n, false) as announced_on_time,
    due.calendar_date as publication_due_date,
    coalesce(a.published_date <= due.calendar_date, false) as published_on_time
from {{ ref('stg_procedure_announcements') }} as a
inner join {{ ref('int_units') }} as u on u.unit_code = a.announcing_unit_code
left join n_days as n1 on n1.criterion_code = 'CKMB.1' and n1.block = u.block
left join n_days as n2 on n2.criterion_code = 'CKMB.2' and n2.block = u.block
left join {{ ref('int_calendar') }} as dec on dec.calendar_date = a.decision_date
left join {{ ref('int_calendar') }} as eff on eff.calendar_date = a.legal_basis_effective_date
left join {{ ref('int_working_days') }} as due on due.working_day_number = dec.working_day_number + n2.n
