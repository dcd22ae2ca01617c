-- Numerators and denominators of the dossier-count criteria per scored unit and period: counts of
-- every unit under the scored unit's authority (ancestor bridge), summed over the period's months.
-- The timeliness flags are chosen by the period's horizon (its evaluation date).
with rolled as (
    select
        a.ancestor_code as unit_code,
        pm.period_type,
        pm.period,
        sum(c.dossiers) as dossiers,
        sum(case pm.verdict_horizon when 'm' then c.on_time_m when 'q' then c.on_time_q
                                    when 'h' then c.on_time_h else c.on_time_y end) as on_time,
        sum(case pm.verdict_horizon when 'm' then c.mdhl_3_num_m when 'q' then c.mdhl_3_num_q
                                    when 'h' then c.mdhl_3_num_h else c.mdhl_3_num_y end) as mdhl_3_num,
        sum(c.clgq_3_den) as clgq_3_den, sum(c.clgq_3_num) as clgq_3_num,
        sum(c.tttt_3_den) as tttt_3_den, sum(c.tttt_3_num) as tttt_3_num,
        sum(c.mdsh_1_den) as mdsh_1_den, sum(c.mdsh_1_num) as mdsh_1_num,
        sum(c.mdsh_2_num) as mdsh_2_num, sum(c.mdsh_3_num) as mdsh_3_num,
        sum(c.mdsh_4_num) as mdsh_4_num, sum(c.mdsh_5_num) as mdsh_5_num,
        sum(c.finished) as finished, sum(c.processing_working_days) as processing_working_days
    from {{ ref('int_unit_month_dossier_counts') }} as c
    inner join {{ ref('int_unit_ancestors') }} as a on a.unit_code = c.unit_code
    inner join {{ ref('int_period_months') }} as pm on pm.month_start = c.received_month
    group by a.ancestor_code, pm.period_type, pm.period
)

{% set measures = [
    ('TDGQ.1', 'on_time', 'dossiers'),
    ('TDGQ.2', 'processing_working_days', 'finished'),
    ('CLGQ.3', 'clgq_3_num', 'clgq_3_den'),
    ('TTTT.3', 'tttt_3_num', 'tttt_3_den'),
    ('MDSH.1', 'mdsh_1_num', 'mdsh_1_den'),
    ('MDSH.2', 'mdsh_2_num', 'dossiers'),
    ('MDSH.3', 'mdsh_3_num', 'dossiers'),
    ('MDSH.4', 'mdsh_4_num', 'dossiers'),
    ('MDSH.5', 'mdsh_5_num', 'dossiers'),
    ('MDHL.3', 'mdhl_3_num', 'dossiers'),
] %}
{% for code, num, den in measures %}
select unit_code, period_type, period, '{{ code }}' as criterion_code,
       cast({{ num }} as double) as numerator, cast({{ den }} as double) as denominator
from rolled
{% if not loop.last %}union all{% endif %}
{% endfor %}
