-- Per receiving unit, procedure and month: whether any dossier was online, carried a non-zero fee,
-- was paid online or used population data — the facts behind the distinct-procedure criteria.
select
    unit_code,
    procedure_code,
    received_month,
    max(case when channel = 2 then 1 else 0 end) as any_online,
    max(case when has_nonzero_fee then 1 else 0 end) as any_nonzero_fee,
    max(case when is_paid_online then 1 else 0 end) as any_paid_online,
    max(case when mdsh_5_num then 1 else 0 end) as any_population_data
from {{ ref('int_dossier_facts') }}
group by unit_code, procedure_code, received_month
