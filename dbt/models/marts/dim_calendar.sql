-- Days with weekend/holiday flags and the running working-day number used by every deadline.
select calendar_date, is_weekend, holiday_name, is_working_day, working_day_number
from {{ ref('int_calendar') }}
