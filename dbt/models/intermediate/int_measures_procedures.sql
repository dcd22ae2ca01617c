-- Distinct-procedure and distinct-service criteria (TTTT.1, TTTT.2, MDSH.6, CLGQ.2) over the procedures
-- assigned to the unit or any unit under it (int_unit_procedures). Distinct counts
-- are not additive, so they are counted per scored unit over its whole subtree, never summed.
-- rolled in two steps (up the hierarchy per month, then months into periods) so the period fan-out
-- applies to the already-collapsed ancestor rows
with usage_by_ancestor as (
    select
        a.ancestor_code as unit_code, u.received_month, u.procedure_code,
        max(u.any_nonzero_fee) as any_nonzero_fee,
        max(u.any_paid_online) as any_paid_online,
        max(u.any_population_data) as any_population_data
    from {{ ref('int_unit_month_procedure_usage') }} as u
    inner join {{ ref('int_unit_ancestors') }} as a on a.unit_code = u.unit_code
    where u.any_nonzero_fee + u.any_paid_online + u.any_population_data > 0
    group by a.ancestor_code, u.received_month, u.procedure_code
),

usage_rolled as (
    select
        u.unit_code, pm.period_type, pm.period, u.procedure_code,
        max(u.any_nonzero_fee) as any_nonzero_fee,
        max(u.any_paid_online) as any_paid_online,
        max(u.any_population_data) as any_population_data
    from usage_by_ancestor as u
    inner join {{ ref('int_period_months') }} as pm on pm.month_start = u.received_month
    group by u.unit_code, pm.period_type, pm.period, u.procedure_code
),

procedure_numerators as (
    select
        r.unit_code, r.period_type, r.period,
        count(distinct case when i.has_fee and r.any_nonzero_fee = 1 then i.procedure_code end) as tttt_1_num,
        count(distinct case when i.has_fee and r.any_paid_online = 1 then i.procedure_code end) as tttt_2_num,
        count(distinct case when i.serves_citizens and r.any_population_data = 1 then i.procedure_code end) as mdsh_6_num
    from usage_rolled as r
    inner join {{ ref('int_unit_procedures') }} as i
        on i.unit_code = r.unit_code and i.procedure_code = r.procedure_code
    group by r.unit_code, r.period_type, r.period
),

procedure_denominators as (
    select
        unit_code,
        count(distinct case when has_fee then procedure_code end) as fee_procedures,
        count(distinct case when serves_citizens then procedure_code end) as citizen_procedures
    from {{ ref('int_unit_procedures') }}
    where has_fee or serves_citizens
    group by unit_code
),

-- online services (public, pending stop, under test) of the subtree; used = ≥1 online dossier
services as (
    select a.ancestor_code as unit_code, s.service_code, s.unit_code as service_unit_code, s.procedure_code
    from {{ ref('stg_online_services') }} as s
    inner join {{ ref('int_unit_ancestors') }} as a on a.unit_code = s.unit_code
    where s.service_status in ('public', 'pending_stop', 'under_test')
),

service_denominators as (
    select unit_code, count(distinct service_code) as online_services
    from services
    group by unit_code
),

service_numerators as (
    select s.unit_code, pm.period_type, pm.period, count(distinct s.service_code) as clgq_2_num
    from services as s
    inner join {{ ref('int_unit_month_procedure_usage') }} as u
        on u.unit_code = s.service_unit_code and u.procedure_code = s.procedure_code and u.any_online = 1
    inner join {{ ref('int_period_months') }} as pm on pm.month_start = u.received_month
    group by s.unit_code, pm.period_type, pm.period
),

combined as (
    select
        u.unit_code, p.period_type, p.period,
        coalesce(pn.tttt_1_num, 0) as tttt_1_num,
        coalesce(pn.tttt_2_num, 0) as tttt_2_num,
        coalesce(pn.mdsh_6_num, 0) as mdsh_6_num,
        coalesce(pd.fee_procedures, 0) as fee_procedures,
        coalesce(pd.citizen_procedures, 0) as citizen_procedures,
        coalesce(sn.clgq_2_num, 0) as clgq_2_num,
        coalesce(sd.online_services, 0) as online_services
    from {{ ref('int_units') }} as u
    cross join {{ ref('int_periods') }} as p
    left join procedure_denominators as pd on pd.unit_code = u.unit_code
    left join service_denominators as sd on sd.unit_code = u.unit_code
    left join procedure_numerators as pn
        on pn.unit_code = u.unit_code and pn.period_type = p.period_type and pn.period = p.period
    left join service_numerators as sn
        on sn.unit_code = u.unit_code and sn.period_type = p.period_type and sn.period = p.period
)

{{ unpivot_measures('combined', [
    ('CLGQ.2', 'clgq_2_num', 'online_services'),
    ('TTTT.1', 'tttt_1_num', 'fee_procedures'),
    ('TTTT.2', 'tttt_2_num', 'fee_procedures'),
    ('MDSH.6', 'mdsh_6_num', 'citizen_procedures'),
]) }}
