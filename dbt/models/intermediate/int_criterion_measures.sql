-- Every criterion's numerator and denominator per scored unit and period, one model per family.
-- ratio_multiplier is 1 except where the rulebook multiplies a ratio by another (CLGQ.3 × CKMB.4).
select unit_code, period_type, period, criterion_code, numerator, denominator,
       cast(1 as double) as ratio_multiplier
from {{ ref('int_measures_dossiers') }}
