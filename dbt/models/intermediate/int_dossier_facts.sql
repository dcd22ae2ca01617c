-- One row per received dossier up to the as-of date: its membership in the numerator and
-- denominator of every dossier-based criterion. Timeliness depends on the evaluation date, so the
-- on-time flag is given once per period horizon (month, quarter, half, year = year-to-date).
--
-- Incremental on DuckDB, keyed by dossier: a night computes again only the dossiers whose facts
-- can have changed: those int_dossier_timeliness judged since this model's last build;
-- those whose rating or feedback membership no longer matches; and those the as-of date moves. A
-- time-dependent flag, on_time_until >= min(period end, as-of), can flip only where on_time_until
-- lies between the last build's as-of date and this one's, and dossiers received between the two
-- enter or leave. The post-hook drops dossiers no longer judged or received after the as-of date.
-- A change of the rulebook parameters or the calendar is a code change: the pipeline then builds
-- with --full-refresh (assets/transform.py).
{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='delete+insert',
    unique_key='dossier_code',
    post_hook=["{{ drop_gone_rows('dossier_code', ref('int_dossier_timeliness'),
                                  'received_date <= (select as_of_date from ' ~ ref('int_run_context') ~ ')') }}"]
) }}
with ctx as (select * from {{ ref('int_run_context') }}),

params as (
    select
        {{ rulebook_param('MDSH.1', 'denominator') }} as mdsh_1_denominator,
        {{ dbt.concat(["'|'", rulebook_param('CLGQ.3', 'excluded_statuses'), "'|'"]) }} as clgq_3_excluded
),

-- MDHL.3 leaves out dossiers rated unsatisfied and those a PAKN is about
unsatisfied as (
    select dossier_code,
           rating <= cast({{ rulebook_param('MDHL.3', 'unsatisfied_max_rating') }} as integer) as is_unsatisfied
    from {{ ref('stg_ratings') }}
),

with_feedback as (
    select distinct dossier_code from {{ ref('stg_feedback') }} where dossier_code is not null
),

{% if is_incremental() %}
-- the last build: when it ran, and the as-of date of the rows it computed
last_build as (
    select b.built_at, least(b.as_of, ctx.as_of_date) as from_date, greatest(b.as_of, ctx.as_of_date) as to_date
    from (select max(built_at) as built_at, arg_max(judged_as_of, built_at) as as_of from {{ this }}) as b
    cross join ctx
),

touched as (
    select t.dossier_code
    from {{ ref('int_dossier_timeliness') }} as t cross join last_build as l
    where t.judged_at > l.built_at
       or (t.on_time_until >= l.from_date and t.on_time_until < l.to_date)
       or (t.received_date > l.from_date and t.received_date <= l.to_date)
    union
    select f.dossier_code
    from {{ this }} as f
    left join unsatisfied as r on r.dossier_code = f.dossier_code
    where f.is_rated_unsatisfied <> coalesce(r.is_unsatisfied, false)
    union
    select f.dossier_code
    from {{ this }} as f
    left join with_feedback as fb on fb.dossier_code = f.dossier_code
    where f.has_feedback <> (fb.dossier_code is not null)
),
{% endif %}

base as (
    select
        t.dossier_code,
        t.unit_code,
        t.procedure_code,
        t.received_date,
        cast({{ dbt.date_trunc('month', 't.received_date') }} as date) as received_month,
        t.channel,
        t.status,
        t.has_e_result,
        t.has_digitised_component,
        t.has_reused_component,
        t.has_store_component,
        t.is_vneid_verified or t.queried_population_db as uses_population_data,
        t.is_paid_online,
        t.has_nonzero_fee,
        t.fee_line_count,
        t.requires_paper_result,
        t.procedure_has_fee,
        coalesce(r.is_unsatisfied, false) as is_rated_unsatisfied,
        t.dossier_code in (select dossier_code from with_feedback) as has_feedback,
        t.timeliness_reason,
        t.on_time_until,
        t.due_date,
        t.finished_at,
        t.processing_working_days,
        ctx.as_of_date
    from {{ ref('int_dossier_timeliness') }} as t
    cross join ctx
    left join unsatisfied as r on r.dossier_code = t.dossier_code
    where t.received_date <= ctx.as_of_date
    {% if is_incremental() %}
      and t.dossier_code in (select dossier_code from touched)
    {% endif %}
),

horizons as (
    select
        b.*,
        {{ horizon_eval_dates('b.received_date', 'b.as_of_date') }}
    from base as b
)

select
    h.dossier_code,
    h.unit_code,
    h.procedure_code,
    h.received_date,
    h.received_month,
    h.channel,
    h.status,
    h.timeliness_reason,
    h.due_date,
    h.finished_at,
    h.on_time_until,
    h.on_time_until >= h.as_of_date as is_on_time_as_of,
    h.processing_working_days,
    -- TDGQ.1: finished on/before due + open and not yet due / received
    h.on_time_until >= h.eval_m as on_time_m,
    h.on_time_until >= h.eval_q as on_time_q,
    h.on_time_until >= h.eval_h as on_time_h,
    h.on_time_until >= h.eval_y as on_time_y,
    -- MDHL.3: dossiers - rated unsatisfied - with a PAKN about them - overdue
    {% for hz in ['m', 'q', 'h', 'y'] %}
    h.on_time_until >= h.eval_{{ hz }} and not h.is_rated_unsatisfied and not h.has_feedback as mdhl_3_num_{{ hz }},
    {% endfor %}
    h.is_rated_unsatisfied,
    h.has_feedback,
    -- CLGQ.3
    {{ dbt.position(dbt.concat(["'|'", "cast(h.status as " ~ dbt.type_string() ~ ")", "'|'"]), 'p.clgq_3_excluded') }} = 0 as clgq_3_den,
    {{ dbt.position(dbt.concat(["'|'", "cast(h.status as " ~ dbt.type_string() ~ ")", "'|'"]), 'p.clgq_3_excluded') }} = 0
        and h.channel = 2 and (not h.requires_paper_result or h.has_e_result) as clgq_3_num,
    -- TTTT.3: dossiers of fee-bearing procedures, minus those whose every fee line is 0
    h.procedure_has_fee and not (h.fee_line_count > 0 and not h.has_nonzero_fee) as tttt_3_den,
    h.procedure_has_fee and not (h.fee_line_count > 0 and not h.has_nonzero_fee) and h.is_paid_online as tttt_3_num,
    -- MDSH.1: the denominator is a rulebook parameter (all dossiers | paper-result procedures only)
    (p.mdsh_1_denominator = 'all_dossiers' or h.requires_paper_result) as mdsh_1_den,
    (p.mdsh_1_denominator = 'all_dossiers' or h.requires_paper_result) and h.has_e_result as mdsh_1_num,
    h.has_digitised_component and (not h.requires_paper_result or h.has_e_result) as mdsh_2_num,
    h.has_reused_component as mdsh_3_num,
    h.has_store_component as mdsh_4_num,
    h.uses_population_data as mdsh_5_num,
    -- per-procedure facts for the distinct-procedure criteria
    h.has_nonzero_fee,
    h.is_paid_online,
    h.procedure_has_fee,
    h.as_of_date as judged_as_of,
    {{ dbt.current_timestamp() }} as built_at
from horizons as h
cross join params as p
