-- Points at stake (published `points_at_stake`): per unit × current period (its evaluation date is
-- the as-of night) × scored criterion,
--   points_at_stake  the points the unit keeps by finishing its at-risk dossiers on time, i.e. its
--                    points now (they count as on time while not yet due) minus its points if they
--                    miss their due date (then they leave the TDGQ.1 and MDHL.3 numerators);
--   events_to_target how many more numerator events bring the ratio to the criterion's target
--                    (1.0 for a linear curve);
--   events_to_next_band how many more numerator events of this criterion alone lift the unit's
--                    total into the next band (null when this criterion cannot get it there).
-- The recomputation uses the criterion's own curve, maxima and scale from fct_criterion_scores.
with criteria as (
    select criterion_code, curve, target
    from {{ ref('rulebook_criteria') }}
    where rule_version = '{{ var("rule_version") }}'
),

current_periods as (
    select period_type, period, period_start, eval_date
    from {{ ref('int_periods') }}
    where eval_date = as_of_date
),

at_risk as (
    select
        a.ancestor_code as unit_code, p.period_type, p.period,
        cast(count(*) as bigint) as at_risk_dossiers,
        cast(sum(case when r.counts_in_mdhl_3 then 1 else 0 end) as bigint) as at_risk_in_mdhl_3
    from {{ ref('fct_at_risk_dossiers') }} as r
    inner join {{ ref('int_unit_ancestors') }} as a on a.unit_code = r.unit_code
    inner join current_periods as p on r.received_date between p.period_start and p.eval_date
    group by a.ancestor_code, p.period_type, p.period
),

bands as (
    select band_name, min_total
    from {{ ref('rulebook_bands') }}
    where rule_version = '{{ var("rule_version") }}'
),

next_band as (
    select u.unit_code, u.period_type, u.period, u.total, u.band,
           min(b.min_total) as next_band_min_total
    from {{ ref('fct_unit_scores') }} as u
    inner join current_periods as p on p.period_type = u.period_type and p.period = u.period
    left join bands as b on b.min_total > u.total
    where u.rated
    group by u.unit_code, u.period_type, u.period, u.total, u.band
),

scored as (
    select
        s.unit_code, s.unit_name, s.unit_type, s.period_type, s.period, s.as_of_date, s.rule_version,
        s.criterion_code, s.numerator, s.denominator, s.ratio, s.ratio_multiplier, s.points, s.max_points,
        s.rulebook_max_points, s.policy_applied, s.inherited_from,
        c.curve,
        coalesce(c.target, 1.0) as target_ratio,
        case when s.rulebook_max_points > 0 then s.max_points / s.rulebook_max_points else 1.0 end as scale,
        -- only a criterion scored on its ratio can move; the events lost if the at-risk dossiers miss
        case when s.policy_applied is not null or s.denominator = 0 then 0
             when s.criterion_code = 'TDGQ.1' then coalesce(r.at_risk_dossiers, 0)
             when s.criterion_code = 'MDHL.3' then coalesce(r.at_risk_in_mdhl_3, 0)
             else 0 end as events_at_risk
    from {{ ref('fct_criterion_scores') }} as s
    inner join current_periods as p on p.period_type = s.period_type and p.period = s.period
    inner join criteria as c on c.criterion_code = s.criterion_code
    left join at_risk as r
        on r.unit_code = s.unit_code and r.period_type = s.period_type and r.period = s.period
    where c.curve <> 'display'
),

missed as (
    select
        x.*,
        least(1.0, greatest(0.0, (x.numerator - x.events_at_risk) / x.denominator * x.ratio_multiplier))
            as ratio_if_missed
    from scored as x
    where x.denominator > 0
),

recomputed as (
    select
        s.*,
        case
            when s.events_at_risk = 0 then s.points
            when s.curve = 'target' then s.rulebook_max_points * s.scale
                 * case when m.ratio_if_missed >= s.target_ratio then 1.0 else m.ratio_if_missed / s.target_ratio end
            else s.rulebook_max_points * s.scale * m.ratio_if_missed
        end as points_if_missed,
        -- events needed for the ratio (numerator / denominator × multiplier) to reach the target
        case
            -- an inherited criterion (CKMB.1–3 below the province) moves only with its source unit
            when s.policy_applied is not null or s.inherited_from is not null
                 or s.denominator = 0 or s.ratio_multiplier <= 0 then null
            when s.target_ratio / s.ratio_multiplier > 1.0 then null
            else greatest(0, cast(ceil(s.target_ratio * s.denominator / s.ratio_multiplier - s.numerator - 1e-9) as bigint))
        end as events_to_target,
        -- points one more numerator event brings while below the target
        case when s.policy_applied is null and s.inherited_from is null and s.denominator > 0
             then s.rulebook_max_points * s.scale * s.ratio_multiplier / (s.denominator * s.target_ratio)
        end as points_per_event
    from scored as s
    left join missed as m
        on m.unit_code = s.unit_code and m.period_type = s.period_type and m.period = s.period
        and m.criterion_code = s.criterion_code
)

select
    r.unit_code,
    r.unit_name,
    r.unit_type,
    r.period_type,
    r.period,
    r.as_of_date,
    r.rule_version,
    r.criterion_code,
    r.numerator,
    r.denominator,
    r.ratio,
    r.points,
    r.max_points,
    r.policy_applied,
    r.events_at_risk,
    r.points_if_missed,
    r.points - r.points_if_missed as points_at_stake,
    r.target_ratio,
    r.events_to_target,
    n.total as unit_total,
    n.band as unit_band,
    n.next_band_min_total,
    case
        when n.next_band_min_total is null or r.events_to_target is null or r.events_to_target = 0
             or r.points_per_event is null or r.points_per_event <= 0 then null
        when ceil((n.next_band_min_total - n.total) / r.points_per_event - 1e-9) > r.events_to_target then null
        else cast(ceil((n.next_band_min_total - n.total) / r.points_per_event - 1e-9) as bigint)
    end as events_to_next_band
from recomputed as r
left join next_band as n
    on n.unit_code = r.unit_code and n.period_type = r.period_type and n.period = r.period
