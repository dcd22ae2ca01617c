{#
  The few constructs DuckDB and Spark SQL spell differently, one macro each, dispatched on the
  adapter (adapter.dispatch): duckdb__ keeps the DuckDB SQL the models always had, spark__ is its
  Spark SQL twin. Everything else in the models is plain SQL or dbt's cross-database macros.
#}

{# true when `predicate` (over `var`) holds for any element of the list; null for a null list #}
{% macro list_any(list, var, predicate) -%}
    {{ return(adapter.dispatch('list_any', 'svcindex')(list, var, predicate)) }}
{%- endmacro %}
{% macro duckdb__list_any(list, var, predicate) -%}
    list_bool_or(list_transform({{ list }}, lambda {{ var }}: {{ predicate }}))
{%- endmacro %}
{% macro spark__list_any(list, var, predicate) -%}
    exists({{ list }}, {{ var }} -> {{ predicate }})
{%- endmacro %}

{# number of elements; null for a null list (Spark's size() says -1 there) #}
{% macro list_length(list) -%}
    {{ return(adapter.dispatch('list_length', 'svcindex')(list)) }}
{%- endmacro %}
{% macro duckdb__list_length(list) -%}
    len({{ list }})
{%- endmacro %}
{% macro spark__list_length(list) -%}
    case when {{ list }} is not null then size({{ list }}) end
{%- endmacro %}

{# each element of the list mapped through `expression` over `var` #}
{% macro list_transform(list, var, expression) -%}
    {{ return(adapter.dispatch('list_transform', 'svcindex')(list, var, expression)) }}
{%- endmacro %}
{% macro duckdb__list_transform(list, var, expression) -%}
    list_transform({{ list }}, lambda {{ var }}: {{ expression }})
{%- endmacro %}
{% macro spark__list_transform(list, var, expression) -%}
    transform({{ list }}, {{ var }} -> {{ expression }})
{%- endmacro %}

{# the list's elements sorted and joined with `separator` (a SQL string literal) #}
{% macro list_sorted_join(list, separator) -%}
    {{ return(adapter.dispatch('list_sorted_join', 'svcindex')(list, separator)) }}
{%- endmacro %}
{% macro duckdb__list_sorted_join(list, separator) -%}
    array_to_string(list_sort({{ list }}), {{ separator }})
{%- endmacro %}
{% macro spark__list_sorted_join(list, separator) -%}
    array_join(array_sort({{ list }}), {{ separator }})
{%- endmacro %}

{# true when the two lists share an element #}
{% macro list_has_any(left, right) -%}
    {{ return(adapter.dispatch('list_has_any', 'svcindex')(left, right)) }}
{%- endmacro %}
{% macro duckdb__list_has_any(left, right) -%}
    list_has_any({{ left }}, {{ right }})
{%- endmacro %}
{% macro spark__list_has_any(left, right) -%}
    arrays_overlap({{ left }}, {{ right }})
{%- endmacro %}

{# aggregate: the values of a group as a list #}
{% macro list_agg(expression) -%}
    {{ return(adapter.dispatch('list_agg', 'svcindex')(expression)) }}
{%- endmacro %}
{% macro duckdb__list_agg(expression) -%}
    list({{ expression }})
{%- endmacro %}
{% macro spark__list_agg(expression) -%}
    collect_list({{ expression }})
{%- endmacro %}

{# set-returning: one row per element of the list (in a select list) #}
{% macro unnest_list(list) -%}
    {{ return(adapter.dispatch('unnest_list', 'svcindex')(list)) }}
{%- endmacro %}
{% macro duckdb__unnest_list(list) -%}
    unnest({{ list }})
{%- endmacro %}
{% macro spark__unnest_list(list) -%}
    explode({{ list }})
{%- endmacro %}

{# a string split on a literal one-character separator, as a list #}
{% macro split_to_list(text, separator) -%}
    {{ return(adapter.dispatch('split_to_list', 'svcindex')(text, separator)) }}
{%- endmacro %}
{% macro duckdb__split_to_list(text, separator) -%}
    string_split({{ text }}, {{ separator }})
{%- endmacro %}
{% macro spark__split_to_list(text, separator) -%}
    split({{ text }}, {{ separator }})
{%- endmacro %}

{#
  Unicode NFC. Spark SQL has no normalisation function; the loaders already store every text
  field in NFC (dagster_project/sources/_spec.py), so on Spark this is the value itself.
#}
{% macro nfc(text) -%}
    {{ return(adapter.dispatch('nfc', 'svcindex')(text)) }}
{%- endmacro %}
{% macro duckdb__nfc(text) -%}
    nfc_normalize({{ text }})
{%- endmacro %}
{% macro spark__nfc(text) -%}
    {{ text }}
{%- endmacro %}

{# ISO day of week: Monday 1 … Sunday 7 #}
{% macro isodow(day) -%}
    {{ return(adapter.dispatch('isodow', 'svcindex')(day)) }}
{%- endmacro %}
{% macro duckdb__isodow(day) -%}
    extract(isodow from {{ day }})
{%- endmacro %}
{% macro spark__isodow(day) -%}
    extract(dayofweek_iso from {{ day }})
{%- endmacro %}

{#
  Every (unit_code, ancestor_code, depth) pair of a parent_code hierarchy, the unit itself at
  depth 0, up to max_depth levels. DuckDB walks it with a recursive CTE; Spark (before 4.1 it has
  no WITH RECURSIVE, and a cluster may run an older one) joins the parent link max_depth times,
  which gives the same rows: the chain stops where a parent is not a unit.
#}
{% macro unit_ancestor_pairs(units, max_depth=10) -%}
    {{ return(adapter.dispatch('unit_ancestor_pairs', 'svcindex')(units, max_depth)) }}
{%- endmacro %}
{% macro duckdb__unit_ancestor_pairs(units, max_depth) -%}
    with recursive walk as (
        select unit_code, unit_code as ancestor_code, parent_code as next_code, 0 as depth
        from {{ units }}

        union all

        select w.unit_code, u.unit_code, u.parent_code, w.depth + 1
        from walk as w
        inner join {{ units }} as u on u.unit_code = w.next_code
        where w.depth < {{ max_depth }}
    )

    select unit_code, ancestor_code, depth
    from walk
{%- endmacro %}
{% macro spark__unit_ancestor_pairs(units, max_depth) -%}
    {% for depth in range(max_depth + 1) %}
    select u0.unit_code, u{{ depth }}.unit_code as ancestor_code, {{ depth }} as depth
    from {{ units }} as u0
    {% for level in range(1, depth + 1) %}
    inner join {{ units }} as u{{ level }} on u{{ level }}.unit_code = u{{ level - 1 }}.parent_code
    {% endfor %}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
{%- endmacro %}

{#
  The band of a total: the name of the band with the highest min_total at or below it (null when
  the total is null or below every band). `bands` is a relation or CTE (band_name, min_total).
  DuckDB: a correlated subquery with limit; Spark allows no limit in a correlated subquery, so it
  takes max_by over the bands at or below the total.
#}
{% macro band_for(total, bands) -%}
    {{ return(adapter.dispatch('band_for', 'svcindex')(total, bands)) }}
{%- endmacro %}
{% macro duckdb__band_for(total, bands) -%}
    (select b.band_name from {{ bands }} as b where b.min_total <= {{ total }} order by b.min_total desc limit 1)
{%- endmacro %}
{% macro spark__band_for(total, bands) -%}
    (select max_by(b.band_name, b.min_total) from {{ bands }} as b where b.min_total <= {{ total }})
{%- endmacro %}

{# dbt-spark's listagg ignores order_by; the project's lists are ordered by their own text #}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {% if limit_num %}
        {{ exceptions.raise_compiler_error("listagg with a limit is not implemented on Spark here") }}
    {% endif %}
    array_join(array_sort(collect_list({{ measure }})), {{ delimiter_text }})
{%- endmacro %}
