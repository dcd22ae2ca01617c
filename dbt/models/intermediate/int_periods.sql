-- One row per scoring period, with the period of the same type just before it (for total_change).
with periods as (
    select distinct
        period_type, period, verdict_horizon, period_start, period_end, eval_date, is_closed,
        as_of_date, rule_version
    from {{ ref('int_period_months') }}
),

with_length as (
    select
        p.*,
        case period_type when 'month' then 1 when 'quarter' then 3 when 'half' then 6 else 12 end
            as months_in_period,
        -- a year-to-date covers only the months up to its evaluation date
        case when period_type = 'ytd' then extract(month from eval_date)
             when period_type = 'month' then 1 when period_type = 'quarter' then 3
             when period_type = 'half' then 6 else 12 end as months_covered
    from periods as p
)

select
    cur.*,
    cast({{ dbt.dateadd('month', '-cur.months_in_period', 'cur.period_start') }} as date) as previous_period_start,
    prev.period as previous_period
from with_length as cur
left join with_length as prev
    on prev.period_type = cur.period_type
    and prev.period_start = cast({{ dbt.dateadd('month', '-cur.months_in_period', 'cur.period_start') }} as date)
