-- Numerators and denominators of the dossier-count criteria per scored unit and period: counts of
-- every unit under the scored unit's authority, summed over the period's months.
with rolled as (
    {{ roll_up_months(ref('int_unit_month_dossier_counts'), 'received_month',
        additive=['dossiers', 'clgq_3_den', 'clgq_3_num', 'tttt_3_den', 'tttt_3_num', 'mdsh_1_den',
                  'mdsh_1_num', 'mdsh_2_num', 'mdsh_3_num', 'mdsh_4_num', 'mdsh_5_num', 'finished',
                  'processing_working_days'],
        horizon=['on_time', 'mdhl_3_num']) }}
)

{{ unpivot_measures('rolled', [
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
]) }}
