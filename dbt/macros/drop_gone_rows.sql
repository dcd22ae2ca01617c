{#
  Post-hook of a model built incrementally with delete+insert on `key`: delete its rows whose key
  `relation` (filtered by `where`) no longer holds. delete+insert replaces the keys it builds
  again and never removes one, so a key can only be too many, never missing (tests/test_incremental.py
  compares with a full refresh): rows are gone exactly when this model holds more rows than
  `relation` does. Counting both is a column scan; the anti-join that finds which rows are gone
  reads every key of history on both sides (1.1 s on 7 M dossiers), so it runs only then.
#}
{% macro drop_gone_rows(key, relation, where) %}
    {% if execute and is_incremental() %}
        {% set counts = run_query("select (select count(*) from " ~ this ~ "), (select count(*) from "
                                  ~ relation ~ " where " ~ where ~ ")") %}
        {% if counts.rows[0][0] != counts.rows[0][1] %}
            delete from {{ this }} where {{ key }} not in (select {{ key }} from {{ relation }} where {{ where }})
        {% endif %}
    {% endif %}
{% endmacro %}
