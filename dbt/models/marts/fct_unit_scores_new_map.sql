-- Scores on the post-reform map ("theo địa giới sau sắp xếp"), published as unit_scores_new_map:
-- one row per unit of the new map × period, for every period, so that a merged province's
-- 2024 -> 2026 trend is one series. Counts roll up, scores don't: each criterion's numerator and
-- denominator are the sums over the units that became this one (int_unit_new_map: itself, the old
-- provinces or communes merged into it, their departments), then scored by the rulebook's curve,
-- grouped and totalled as the portal does (groups rounded to 2 decimals, total = their sum).
-- unit_scores keeps the as-published old-map rows unchanged beside this table. Where no old unit
-- contributed (every period after 1 July 2025) the figures are the unit's own (recomputed =
-- false). Procedure-based ratios (CKMB.1–3, CLGQ.1, TTTT.1/2, MDSH.6) of merged provinces are sums
-- of the old provinces' counts: a procedure two old provinces both had counts twice.
with criteria as (
    select * from {{ ref('rulebook_criteria') }} where rule_version = '{{ var("rule_version") }}'
),

bands as (
    select * from {{ ref('rulebook_bands') }} where rule_version = '{{ var("rule_version") }}'
),

mapped as (
    select * from {{ ref('int_unit_new_map') }}
),

summed as (
    select
        m.new_unit_code as unit_code, c.period_type, c.period, c.criterion_code, c.group_code,
        sum(c.numerator) as numerator,
        sum(c.denominator) as denominator,
        -- CLGQ.3's sync-ratio factor, weighted by each part's denominator
        sum(c.ratio_multiplier * c.denominator) / nullif(sum(c.denominator), 0) as ratio_multiplier,
        max(case when c.policy_applied = 'not_applicable' then 1 else 0 end) = 1 as not_applicable,
        max(case when m.basis <> 'same unit' then 1 else 0 end) = 1 as recomputed
    from {{ ref('fct_criterion_scores') }} as c
    inner join mapped as m on m.unit_code = c.unit_code
    -- the period's dates are joined to the result: as grouping keys of 2 M rows they cost 1.6 s of 1.9
    group by m.new_unit_code, c.period_type, c.period, c.criterion_code, c.group_code
),

pointed as (
    select
        s.*,
        case
            when s.not_applicable or (s.denominator = 0 and cr.empty_policy = 'full') then cr.max_points
            when s.denominator = 0 or s.numerator is null then 0.0
            else {{ curve_points('cr.curve', 'cr.target', 'cr.max_points',
                                 'least(1.0, greatest(0.0, s.numerator / s.denominator * coalesce(s.ratio_multiplier, 1)))') }}
        end as points
    from summed as s
    inner join criteria as cr on cr.criterion_code = s.criterion_code
),

groups as (
    select
        unit_code, period_type, period, group_code,
        {{ sum_to_cents('points') }} as points,
        max(case when recomputed then 1 else 0 end) = 1 as recomputed
    from pointed
    group by unit_code, period_type, period, group_code
),

contributors as (
    select
        m.new_unit_code as unit_code, s.period_type, s.period,
        max(case when s.rated then 1 else 0 end) = 1 as rated,
        cast(sum(s.dossiers_received) as bigint) as dossiers_received,
        cast(sum(s.feedback_received) as bigint) as feedback_received,
        count(*) as merged_units,
        {{ dbt.listagg('s.unit_code', "', '", "order by s.unit_code") }} as merged_from
    from {{ ref('fct_unit_scores') }} as s
    inner join mapped as m on m.unit_code = s.unit_code
    group by m.new_unit_code, s.period_type, s.period
),

pivoted as (
    select
        g.unit_code, g.period_type, g.period,
        max(case when g.recomputed then 1 else 0 end) = 1 as recomputed,
        {% for code in portal_group_codes() %}
        sum(case when g.group_code = '{{ code }}' then g.points else 0 end) as {{ code | lower }},
        {% endfor %}
        round(sum(g.points), 2) as total
    from groups as g
    group by g.unit_code, g.period_type, g.period
),

banded as (
    select
        p.unit_code, u.unit_name, u.unit_type, u.block, u.parent_code,
        'theo địa giới sau sắp xếp' as map_basis,
        p.period_type, p.period, per.period_start, per.period_end, per.as_of_date, per.rule_version,
        p.recomputed, c.merged_units, c.merged_from,
        {% for code in portal_group_codes() %}p.{{ code | lower }}, {% endfor %}
        case when c.rated then p.total end as total,
        case when c.rated then {{ band_for('p.total', 'bands') }} end as band,
        c.rated, c.dossiers_received, c.feedback_received
    from pivoted as p
    inner join {{ ref('int_units') }} as u on u.unit_code = p.unit_code
    inner join {{ ref('int_periods') }} as per on per.period_type = p.period_type and per.period = p.period
    inner join contributors as c
        on c.unit_code = p.unit_code and c.period_type = p.period_type and c.period = p.period
)

select
    b.*,
    case when b.rated then
        cast(rank() over (partition by b.period_type, b.period, b.block, b.unit_type, b.rated order by b.total desc) as bigint)
    end as rank_in_block
from banded as b
