-- One row per feedback/petition (PAKN) received up to the as-of date, with its deadline
-- (15 working days from receipt or latest transfer; 2 for a refusal) and, as for dossiers,
-- on_time_until: the last evaluation date at which it still counts as handled/in process on time.
with ctx as (select * from {{ ref('int_run_context') }}),

base as (
    select
        f.*,
        cast(coalesce(f.transferred_at, f.received_at) as date) as clock_start_date,
        case when f.status = 'refused'
             then cast({{ rulebook_param('MDHL.1', 'refusal_working_days') }} as integer)
             else cast({{ rulebook_param('MDHL.1', 'handling_working_days') }} as integer)
        end as allowed_working_days,
        ctx.as_of_date
    from {{ ref('stg_feedback') }} as f
    cross join ctx
    where f.received_date <= ctx.as_of_date
),

due as (
    select b.*, wd.calendar_date as due_date
    from base as b
    {{ join_working_days_after('b.clock_start_date', 'b.allowed_working_days', 'wd') }}
),

judged as (
    select
        d.*,
        case
            when d.handled_at is not null and cast(d.handled_at as date) <= d.due_date then cast('9999-12-31' as date)
            else cast({{ dbt.dateadd('day', -1, 'd.due_date') }} as date)
        end as on_time_until,
        d.dislikes > d.likes or d.is_re_raised as is_unsatisfied,
        {{ horizon_eval_dates('d.received_date', 'd.as_of_date') }}
    from due as d
)

select
    feedback_code,
    unit_code,
    dossier_code,
    category,
    received_date,
    cast({{ dbt.date_trunc('month', 'received_date') }} as date) as received_month,
    due_date,
    handled_at,
    status,
    on_time_until,
    is_unsatisfied,
    {% for hz in ['m', 'q', 'h', 'y'] %}
    on_time_until >= eval_{{ hz }} as mdhl_1_num_{{ hz }},
    on_time_until >= eval_{{ hz }} and not is_unsatisfied as mdhl_2_num_{{ hz }},
    {% endfor %}
    category = 'rules' as is_about_rules,
    category = 'conduct' as is_about_conduct
from judged
