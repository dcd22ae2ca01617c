-- Distinct-procedure and distinct-service criteria (TTTT.1, TTTT.2, MDSH.6, CLGQ.2) over the procedures
-- assigned to the unit or any unit under it (int_unit_procedures). Distinct counts
-- are not additive, so they are counted per scored unit over its whole subtree, never summed.
-- Usage is kept only where it scores before the months fan out into periods (each month is in five):
-- a procedure the scored unit implements (fee-bearing, or serving citizens) with a dossier that
-- counts. On a national year, fanning out every used procedure of every ancestor first made 108 M
-- rows, 90 % of them dropped by the join after; the aggregate spilled 3.9 GB and took 24 of the
-- model's 26 s.
with hits_by_month as (
    select
        a.ancestor_code as unit_code, u.received_month, u.procedure_code,
        max(case when i.has_fee and u.any_nonzero_fee = 1 then 1 else 0 end) as fee_hit,
        max(case when i.has_fee and u.any_paid_online = 1 then 1 else 0 end) as paid_hit,
        max(case when i.serves_citizens and u.any_population_data = 1 then 1 else 0 end) as population_hit
    from {{ ref('int_unit_month_procedure_usage') }} as u
    inner join {{ ref('int_unit_ancestors') }} as a on a.unit_code = u.unit_code
    inner join {{ ref('int_unit_procedures') }} as i
        on i.unit_code = a.ancestor_code and i.procedure_code = u.procedure_code
    where (i.has_fee and u.any_nonzero_fee + u.any_paid_online > 0)
       or (i.serves_citizens and u.any_population_data = 1)
    group by a.ancestor_code, u.received_month, u.procedure_code
),

procedure_numerators as (
    select
        h.unit_code, pm.period_type, pm.period,
        count(distinct case when h.fee_hit = 1 then h.procedure_code end) as tttt_1_num,
        count(distinct case when h.paid_hit = 1 then h.procedure_code end) as tttt_2_num,
        count(distinct case when h.population_hit = 1 then h.procedure_code end) as mdsh_6_num
    from hits_by_month as h
    inner join {{ ref('int_period_months') }} as pm on pm.month_start = h.received_month
    group by h.unit_code, pm.period_type, pm.period
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

-- the services used in each month, before the months fan out into periods
services_by_month as (
    select distinct s.unit_code, s.service_code, u.received_month
    from services as s
    inner join {{ ref('int_unit_month_procedure_usage') }} as u
        on u.unit_code = s.service_unit_code and u.procedure_code = s.procedure_code and u.any_online = 1
),

service_numerators as (
    select s.unit_code, pm.period_type, pm.period, count(distinct s.service_code) as clgq_2_num
    from services_by_month as s
    inner join {{ ref('int_period_months') }} as pm on pm.month_start = s.received_month
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
