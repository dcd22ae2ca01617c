-- Every day of the holiday seed's years with a running working-day number, so working-day
-- arithmetic is two lookups: days between = difference of numbers; d + N = the day whose number is n(d) + N.
-- Working days exclude Saturdays, Sundays and Vietnamese public holidays (ref_holidays, lunar ones included).
-- ref_holidays is generated from the `holidays` package for 2000–2099 (seeds/generate_holidays.py);
-- the spine spans the same range and is cut to the seed's years, and the test
-- assert_calendar_covers_data fails a run whose dossiers, PAKN or as-of date fall outside it.
with bounds as (
    select
        min({{ dbt.date_trunc('year', 'holiday_date') }}) as first_day,
        max({{ dbt.dateadd('day', -1, dbt.dateadd('year', 1, dbt.date_trunc('year', 'holiday_date'))) }}) as last_day
    from {{ ref('ref_holidays') }}
),

days as (
    {{ dbt.date_spine('day', "cast('2000-01-01' as date)", "cast('2100-01-01' as date)") }}
),

flagged as (
    select
        cast(d.date_day as date) as calendar_date,
        {{ isodow('d.date_day') }} >= 6 as is_weekend,
        h.holiday_name
    from days as d
    cross join bounds as b
    left join {{ ref('ref_holidays') }} as h on h.holiday_date = cast(d.date_day as date)
    where cast(d.date_day as date) between b.first_day and b.last_day
)

select
    calendar_date,
    is_weekend,
    holiday_name,
    not is_weekend and holiday_name is null as is_working_day,
    sum(case when not is_weekend and holiday_name is null then 1 else 0 end)
        over (order by calendar_date rows between unbounded preceding and current row) as working_day_number
from flagged
