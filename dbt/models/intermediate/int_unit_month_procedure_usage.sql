-- Per receiving unit, procedure and month: whether any dossier was online, carried a non-zero fee,
-- was paid online or used population data — the facts behind the distinct-procedure criteria.
-- Incremental on DuckDB, month by month: a night builds again only the months whose dossiers
-- changed (changed_months); on a national year a month is a twelfth of 27 M rows.
{{ config(
    materialized=('incremental' if target.type == 'duckdb' else 'table'),
    incremental_strategy='delete+insert',
    unique_key='received_month',
    post_hook=["{{ drop_gone_months() }}"]
) }}
select
    unit_code,
    procedure_code,
    received_month,
    max(case when channel = 2 then 1 else 0 end) as any_online,
    max(case when has_nonzero_fee then 1 else 0 end) as any_nonzero_fee,
    max(case when is_paid_online then 1 else 0 end) as any_paid_online,
    max(case when mdsh_5_num then 1 else 0 end) as any_population_data,
    count(*) as dossiers,
    {{ dbt.current_timestamp() }} as built_at
from {{ ref('int_dossier_facts') }}
{% if is_incremental() %}
where received_month in ({{ changed_months() }})
{% endif %}
group by unit_code, procedure_code, received_month
