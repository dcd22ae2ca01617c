{#
  For a per-month count model built incrementally from int_dossier_facts (delete+insert on
  received_month, with `dossiers` = count(*) and `built_at` columns): the received months to
  build again. A month changed when int_dossier_facts holds a row built after this model's last
  build, or when its dossier count no longer matches (dossiers the as-of date dropped); a month
  gone from int_dossier_facts altogether is dropped by the model's post-hook (drop_gone_months).
#}
{% macro changed_months() %}
    select received_month from {{ ref('int_dossier_facts') }}
    where built_at > (select max(built_at) from {{ this }})
    union
    select coalesce(f.received_month, t.received_month)
    from (select received_month, count(*) as dossiers from {{ ref('int_dossier_facts') }} group by received_month) as f
    full join (select received_month, sum(dossiers) as dossiers from {{ this }} group by received_month) as t
        on t.received_month = f.received_month
    where f.dossiers is distinct from t.dossiers
{% endmacro %}

{% macro drop_gone_months() %}
    {% if is_incremental() %}
    delete from {{ this }} where received_month not in (select received_month from {{ ref('int_dossier_facts') }})
    {% endif %}
{% endmacro %}
