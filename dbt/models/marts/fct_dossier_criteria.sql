-- One row per received dossier (latest version) with its timeliness verdict and its membership in
-- the numerator (_num) and denominator (_den) of every dossier-based criterion, so any ratio can be
-- listed dossier by dossier (join dim_unit_ancestors on unit_code to reach every scoring unit).
-- Time-dependent flags (tdgq_1_num, mdhl_3_num) are judged at the dossier's month evaluation date
-- min(month end, as-of); for a longer period compare on_time_until with that period's eval_date.
-- A view: the rows are int_dossier_facts' (5M a national month); the publication copies them into
-- the analysts' file once, instead of the warehouse holding a second copy built every night.
{{ config(materialized='view') }}
select
    f.dossier_code,
    f.unit_code,
    f.procedure_code,
    f.received_date,
    f.received_month,
    f.channel,
    f.status,
    f.due_date,
    f.finished_at,
    cast(f.processing_working_days as bigint) as processing_working_days,  -- DuckDB sums to HUGEINT; bigint is portable
    f.on_time_until,
    case when f.is_on_time_as_of then 'on_time' else 'overdue' end as timeliness_verdict,
    f.timeliness_reason,
    true as ckmb_4_num,
    true as tdgq_1_den,
    f.on_time_m as tdgq_1_num,
    f.clgq_3_den,
    f.clgq_3_num,
    f.tttt_3_den,
    f.tttt_3_num,
    f.mdsh_1_den,
    f.mdsh_1_num,
    true as mdsh_2_den,
    f.mdsh_2_num,
    true as mdsh_3_den,
    f.mdsh_3_num,
    true as mdsh_4_den,
    f.mdsh_4_num,
    true as mdsh_5_den,
    f.mdsh_5_num,
    true as mdhl_3_den,
    f.mdhl_3_num_m as mdhl_3_num,
    f.is_rated_unsatisfied,
    f.has_feedback
from {{ ref('int_dossier_facts') }} as f
