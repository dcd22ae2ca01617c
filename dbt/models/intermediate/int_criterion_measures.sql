-- Every criterion's numerator and denominator per scored unit and period, one model per family.
-- ratio_multiplier is 1 except CLGQ.3, whose ratio the rulebook multiplies by the CKMB.4 sync ratio.
with measures as (
    select * from {{ ref('int_measures_dossiers') }}
    union all
    select * from {{ ref('int_measures_feedback') }}
    union all
    select * from {{ ref('int_measures_procedures') }}
    union all
    select * from {{ ref('int_measures_catalogue') }}
    union all
    select * from {{ ref('int_measures_sync') }}
),

sync_ratio as (
    select unit_code, period_type, period,
           case when denominator > 0 then numerator / denominator end as ratio
    from measures
    where criterion_code = 'CKMB.4'
)

select
    m.unit_code, m.period_type, m.period, m.criterion_code, m.numerator, m.denominator,
    case when m.criterion_code = 'CLGQ.3' then coalesce(s.ratio, 1.0) else 1.0 end as ratio_multiplier
from measures as m
left join sync_ratio as s
    on s.unit_code = m.unit_code and s.period_type = m.period_type and s.period = m.period
