{#
  Points of a criterion by its rulebook curve (rulebook §2), for a ratio in 0..1: `linear` max ×
  ratio, `target` max × min(1, ratio / target) (null without a positive target, which the seed
  test assert_target_curve_has_target refuses), `display` 0. fct_criterion_scores scores every
  criterion with it, fct_unit_scores_new_map the summed counts of the post-reform map.
#}
{% macro curve_points(curve, target, max_points, ratio) -%}
    case
        when {{ curve }} = 'display' then 0.0
        when {{ curve }} = 'target' then case when {{ target }} > 0 then {{ max_points }}
             * case when {{ ratio }} >= {{ target }} then 1.0 else {{ ratio }} / {{ target }} end end
        else {{ max_points }} * {{ ratio }}
    end
{%- endmacro %}
