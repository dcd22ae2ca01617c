-- Working day number → date, for "date + N working days" lookups (see int_calendar).
select working_day_number, calendar_date
from {{ ref('int_calendar') }}
where is_working_day
