-- Additive dossier counts per receiving unit and month: the compact base every period and every
-- ancestor sums (5M dossiers → one row per unit-month).
-- Incremental on DuckDB, month by month, like int_unit_month_procedure_usage (changed_months).
{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='delete+insert',
    unique_key='received_month',
    post_hook=["{{ drop_gone_months() }}"]
) }}
{% set flags = ['clgq_3_den', 'clgq_3_num',
                'tttt_3_den', 'tttt_3_num', 'mdsh_1_den', 'mdsh_1_num', 'mdsh_2_num', 'mdsh_3_num',
                'mdsh_4_num', 'mdsh_5_num',
                'on_time_m', 'on_time_q', 'on_time_h', 'on_time_y',
                'mdhl_3_num_m', 'mdhl_3_num_q', 'mdhl_3_num_h', 'mdhl_3_num_y'] %}
select
    unit_code,
    received_month,
    count(*) as dossiers,
    {% for f in flags %}sum(case when {{ f }} then 1 else 0 end) as {{ f }},
    {% endfor %}
    sum(case when finished_at is not null then 1 else 0 end) as finished,
    sum(processing_working_days) as processing_working_days,
    {{ dbt.current_timestamp() }} as built_at
from {{ ref('int_dossier_facts') }}
{% if is_incremental() %}
where received_month in ({{ changed_months() }})
{% endif %}
group by unit_code, received_month
