-- PAKN criteria per scored unit and period (first receipt date basis).
with rolled as (
    {{ roll_up_months(ref('int_unit_month_feedback_counts'), 'received_month',
        additive=['feedback', 'is_about_rules', 'is_about_conduct'],
        horizon=['mdhl_1_num', 'mdhl_2_num']) }}
)

{{ unpivot_measures('rolled', [
    ('MDHL.1', 'mdhl_1_num', 'feedback'),
    ('MDHL.2', 'mdhl_2_num', 'feedback'),
    ('MDHL.c1', 'is_about_rules', 'feedback'),
    ('MDHL.c2', 'is_about_conduct', 'feedback'),
]) }}
