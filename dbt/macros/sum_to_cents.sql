{#
  A group's points as the portal shows them: the sum of its criteria's points rounded to the cent.
  Summed as decimals: a sum of doubles depends on the order the engine adds them in, so at an exact
  .xx5 it rounded to different cents on DuckDB and Spark (9 of 168,252 groups of a national month)
  and from one DuckDB build to the next (24 of 83,320 new-map unit scores of a year, the same query
  run twice); criterion points agree to the bit on both engines.
#}
{% macro sum_to_cents(points) -%}
    cast(round(sum(cast({{ points }} as decimal(18, 6))), 2) as double)
{%- endmacro %}
