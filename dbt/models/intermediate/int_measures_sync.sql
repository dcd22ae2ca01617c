-- CKMB.4: dossiers synced to the portal / max(received per BCQG, per the portal, per the agencies'
-- own systems). With no count at all the denominator falls back to the previous year's BCQG total
-- pro rata (÷12 a month, ÷4 a quarter, ×1 a year); with none of that either it stays 0 (ratio 0).
with portal as (
    {{ roll_up_months(ref('int_unit_month_dossier_counts'), 'received_month', additive=['dossiers']) }}
),

bcqg as (
    select a.ancestor_code as unit_code, p.period_type, p.period, sum(b.dossiers_received) as dossiers
    from {{ ref('stg_bcqg_monthly') }} as b
    inner join {{ ref('int_unit_ancestors') }} as a on a.unit_code = b.unit_code
    inner join {{ ref('int_periods') }} as p on b.report_month between p.period_start and p.eval_date
    group by a.ancestor_code, p.period_type, p.period
),

bcqg_previous_year as (
    select a.ancestor_code as unit_code, extract(year from b.report_month) + 1 as for_year,
           sum(b.dossiers_received) as dossiers
    from {{ ref('stg_bcqg_monthly') }} as b
    inner join {{ ref('int_unit_ancestors') }} as a on a.unit_code = b.unit_code
    group by a.ancestor_code, extract(year from b.report_month) + 1
),

-- counted per unit and month before the months fan out into periods and the units up the tree (a
-- national year is 34 M agency dossiers: fanned out first, 19 s a night). A period starts on the 1st
-- and is judged up to min(its end, the as-of date), so with the dossiers after the as-of date left
-- out, a month is in a period exactly when its first day is between the period's start and eval_date.
agency_months as (
    select d.unit_code, cast({{ dbt.date_trunc('month', 'd.received_date') }} as date) as received_month,
           count(*) as dossiers
    from {{ ref('stg_agency_dossiers') }} as d
    cross join {{ ref('int_run_context') }} as ctx
    where d.received_date <= ctx.as_of_date
    group by d.unit_code, cast({{ dbt.date_trunc('month', 'd.received_date') }} as date)
),

agency as (
    select a.ancestor_code as unit_code, p.period_type, p.period, cast(sum(m.dossiers) as bigint) as dossiers
    from agency_months as m
    inner join {{ ref('int_unit_ancestors') }} as a on a.unit_code = m.unit_code
    inner join {{ ref('int_periods') }} as p on m.received_month between p.period_start and p.eval_date
    group by a.ancestor_code, p.period_type, p.period
),

combined as (
    select
        u.unit_code, p.period_type, p.period,
        coalesce(po.dossiers, 0) as synced,
        greatest(coalesce(po.dossiers, 0), coalesce(b.dossiers, 0), coalesce(ag.dossiers, 0)) as received,
        coalesce(prev.dossiers, 0) * p.months_covered / 12.0 as fallback
    from {{ ref('int_units') }} as u
    cross join {{ ref('int_periods') }} as p
    left join portal as po on po.unit_code = u.unit_code and po.period_type = p.period_type and po.period = p.period
    left join bcqg as b on b.unit_code = u.unit_code and b.period_type = p.period_type and b.period = p.period
    left join agency as ag on ag.unit_code = u.unit_code and ag.period_type = p.period_type and ag.period = p.period
    left join bcqg_previous_year as prev
        on prev.unit_code = u.unit_code and prev.for_year = extract(year from p.period_start)
),

final as (
    select unit_code, period_type, period, synced,
           case when received > 0 then received else fallback end as denominator
    from combined
)

{{ unpivot_measures('final', [('CKMB.4', 'synced', 'denominator')]) }}
