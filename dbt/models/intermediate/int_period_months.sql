-- Period x month bridge: every month, quarter, half, year and year-to-date that has dossiers or
-- PAKN up to the as-of date, with its months. An open period is judged as of eval_date = min(period end, as-of date).
with data_days as (
    select received_date as day from {{ ref('stg_dossiers') }}
    union all
    select received_date from {{ ref('stg_feedback') }}
),

months as (
    select distinct {{ dbt.date_trunc('month', 'day') }} as month_start
    from data_days
    cross join {{ ref('int_run_context') }} as ctx
    where day <= ctx.as_of_date
),

labelled as (
    select
        cast(month_start as date) as month_start,
        extract(year from month_start) as yr,
        extract(month from month_start) as mo
    from months
),

expanded as (
    select 'month' as period_type, 'm' as verdict_horizon, month_start,
           {{ dbt.concat(["cast(yr as " ~ dbt.type_string() ~ ")", "'-'", "lpad(cast(mo as " ~ dbt.type_string() ~ "), 2, '0')"]) }} as period,
           month_start as period_start,
           cast({{ dbt.last_day('month_start', 'month') }} as date) as period_end
    from labelled
    union all
    select 'quarter', 'q', month_start,
           {{ dbt.concat(["cast(yr as " ~ dbt.type_string() ~ ")", "'-Q'", "cast(cast(floor((mo - 1) / 3) + 1 as integer) as " ~ dbt.type_string() ~ ")"]) }},
           cast({{ dbt.date_trunc('quarter', 'month_start') }} as date),
           cast({{ dbt.last_day('month_start', 'quarter') }} as date)
    from labelled
    union all
    select 'half', 'h', month_start,
           {{ dbt.concat(["cast(yr as " ~ dbt.type_string() ~ ")", "case when mo <= 6 then '-H1' else '-H2' end"]) }},
           cast({{ dbt.dateadd('month', 'case when mo <= 6 then 0 else 6 end', dbt.date_trunc('year', 'month_start')) }} as date),
           cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 'case when mo <= 6 then 6 else 12 end', dbt.date_trunc('year', 'month_start'))) }} as date)
    from labelled
    union all
    select 'year', 'y', month_start, cast(yr as {{ dbt.type_string() }}),
           cast({{ dbt.date_trunc('year', 'month_start') }} as date),
           cast({{ dbt.last_day('month_start', 'year') }} as date)
    from labelled
    union all
    select 'ytd', 'y', month_start, {{ dbt.concat(["cast(yr as " ~ dbt.type_string() ~ ")", "'-YTD'"]) }},
           cast({{ dbt.date_trunc('year', 'month_start') }} as date),
           cast({{ dbt.last_day('month_start', 'year') }} as date)
    from labelled
)

select
    e.period_type,
    e.period,
    e.verdict_horizon,
    e.month_start,
    e.period_start,
    e.period_end,
    case when e.period_end < ctx.as_of_date then e.period_end else ctx.as_of_date end as eval_date,
    e.period_end <= ctx.as_of_date as is_closed,
    ctx.as_of_date,
    ctx.rule_version
from expanded as e
cross join {{ ref('int_run_context') }} as ctx
