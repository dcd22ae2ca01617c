-- Additive PAKN counts per receiving unit and month.
{% set flags = ['is_about_rules', 'is_about_conduct',
                'mdhl_1_num_m', 'mdhl_1_num_q', 'mdhl_1_num_h', 'mdhl_1_num_y',
                'mdhl_2_num_m', 'mdhl_2_num_q', 'mdhl_2_num_h', 'mdhl_2_num_y'] %}
select
    unit_code,
    received_month,
    count(*) as feedback,
    {% for f in flags %}sum(case when {{ f }} then 1 else 0 end) as {{ f }}{% if not loop.last %},{% endif %}
    {% endfor %}
from {{ ref('int_feedback_facts') }}
group by unit_code, received_month
