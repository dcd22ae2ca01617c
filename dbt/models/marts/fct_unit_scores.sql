-- One row per scored unit × period: the six portal columns, the total (sum of the rounded
-- columns, as the portal does), the rating band, ranks and the change since the previous period.
-- Rulebook §5a: a unit with less activity (dossiers received + PAKN received in the period, its
-- subtree included) than the rulebook's min_activity_to_rate is published unrated — its columns
-- and counts kept, but no total, band or rank, and it is left out of every ranking. Every row
-- carries the period's coverage; total_change is shown only when both periods are covered whole.
-- The portal columns and their names come from the rulebook_groups seed (portal_column): one
-- column per portal group, total = plain sum of the rounded portal columns (not CCDVTT, which
-- only regroups two of them).
with portal_groups as (
    select group_code from {{ ref('rulebook_groups') }}
    where rule_version = '{{ var("rule_version") }}' and portal_column
),

pivoted as (
    select
        g.unit_code, g.unit_name, g.unit_type, g.block, g.parent_code,
        g.period_type, g.period, g.period_start, g.period_end, g.eval_date, g.as_of_date, g.rule_version,
        {% for code in portal_group_codes() %}
        sum(case when g.group_code = '{{ code }}' then g.points else 0 end) as {{ code | lower }},
        {% endfor %}
        round(sum(g.points), 2) as total
    from {{ ref('fct_group_scores') }} as g
    inner join portal_groups as pg on pg.group_code = g.group_code
    group by g.unit_code, g.unit_name, g.unit_type, g.block, g.parent_code,
             g.period_type, g.period, g.period_start, g.period_end, g.eval_date, g.as_of_date, g.rule_version
),

activity as (
    select
        unit_code, period_type, period,
        sum(case when criterion_code = 'TDGQ.1' then denominator else 0 end) as dossiers_received,
        sum(case when criterion_code = 'MDHL.1' then denominator else 0 end) as feedback_received
    from {{ ref('int_criterion_measures') }}
    where criterion_code in ('TDGQ.1', 'MDHL.1')
    group by unit_code, period_type, period
),

bands as (
    select * from {{ ref('rulebook_bands') }} where rule_version = '{{ var("rule_version") }}'
),

rated as (
    select
        p.*,
        cast(coalesce(a.dossiers_received, 0) as bigint) as dossiers_received,
        cast(coalesce(a.feedback_received, 0) as bigint) as feedback_received,
        coalesce(a.dossiers_received, 0) + coalesce(a.feedback_received, 0)
            >= cast({{ rulebook_param('*', 'min_activity_to_rate') }} as double) as rated
    from pivoted as p
    left join activity as a
        on a.unit_code = p.unit_code and a.period_type = p.period_type and a.period = p.period
),

banded as (
    select
        r.unit_code, r.unit_name, r.unit_type, r.block, r.parent_code,
        r.period_type, r.period, r.period_start, r.period_end, r.eval_date, r.as_of_date, r.rule_version,
        {% for code in portal_group_codes() %}r.{{ code | lower }}, {% endfor %}
        case when r.rated then r.total end as total,
        case when r.rated then {{ band_for('r.total', 'bands') }} end as band,
        r.rated,
        r.dossiers_received,
        r.feedback_received
    from rated as r
)

select
    cur.*,
    -- cast: rank() is bigint on DuckDB, int on Spark; the contract says bigint on both
    cast(case when cur.rated then
        rank() over (partition by cur.period_type, cur.period, cur.block, cur.unit_type, cur.rated
                     order by cur.total desc)
    end as bigint) as rank_in_block,
    cast(case when cur.rated and cur.parent_code is not null then
        rank() over (partition by cur.period_type, cur.period, cur.parent_code, cur.unit_type, cur.rated
                     order by cur.total desc)
    end as bigint) as rank_in_parent,
    case when per.coverage_complete and per.previous_coverage_complete
         then round(cur.total - prev.total, 2) end as total_change,
    per.coverage_first_night,
    per.coverage_last_night,
    per.coverage_complete
from banded as cur
left join {{ ref('int_periods') }} as per
    on per.period_type = cur.period_type and per.period = cur.period
left join banded as prev
    on prev.unit_code = cur.unit_code and prev.period_type = cur.period_type
    and prev.period = per.previous_period
