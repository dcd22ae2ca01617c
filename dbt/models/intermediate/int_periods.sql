-- One row per scoring period, with the period of the same type just before it (for total_change)
-- and its coverage (rulebook §5a): the first and last extract night of the coverage source
-- (rulebook parameter coverage_source; night D delivers day D) inside the period up to its
-- evaluation date, and whether a night was loaded for every one of those days.
with periods as (
    select distinct
        period_type, period, verdict_horizon, period_start, period_end, eval_date, is_closed,
        as_of_date, rule_version
    from {{ ref('int_period_months') }}
),

nights as (
    select distinct extract_date as night
    from {{ source('raw', 'load_log') }}
    where status = 'loaded' and source = {{ rulebook_param('*', 'coverage_source') }}
),

coverage as (
    select
        p.period_type, p.period,
        min(n.night) as coverage_first_night,
        max(n.night) as coverage_last_night,
        count(distinct n.night) as nights_covered
    from periods as p
    inner join nights as n on n.night between p.period_start and p.eval_date
    group by p.period_type, p.period
),

with_length as (
    select
        p.*,
        case p.period_type when 'month' then 1 when 'quarter' then 3 when 'half' then 6 else 12 end
            as months_in_period,
        -- a year-to-date covers only the months up to its evaluation date
        case when p.period_type = 'ytd' then extract(month from p.eval_date)
             when p.period_type = 'month' then 1 when p.period_type = 'quarter' then 3
             when p.period_type = 'half' then 6 else 12 end as months_covered,
        c.coverage_first_night,
        c.coverage_last_night,
        coalesce(c.nights_covered = {{ dbt.datediff('p.period_start', 'p.eval_date', 'day') }} + 1, false)
            as coverage_complete
    from periods as p
    left join coverage as c on c.period_type = p.period_type and c.period = p.period
)

select
    cur.*,
    cast({{ dbt.dateadd('month', '-cur.months_in_period', 'cur.period_start') }} as date) as previous_period_start,
    prev.period as previous_period,
    prev.coverage_complete as previous_coverage_complete
from with_length as cur
left join with_length as prev
    on prev.period_type = cur.period_type
    and prev.period_start = cast({{ dbt.dateadd('month', '-cur.months_in_period', 'cur.period_start') }} as date)
