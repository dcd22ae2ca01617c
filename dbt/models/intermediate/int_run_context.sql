-- The run's single as-of date and rule version; every dated model joins this one row.
-- as_of_date: the var when given, else the latest night loaded, else the latest dossier update.
-- The ref below is declared whatever the vars: the manifest parsed without vars (Dagster's) and a
-- run with --vars as_of_date must record the same dependencies.
-- depends_on: {{ ref('stg_dossiers') }}
select
    {% if var('as_of_date') %}
    cast('{{ var("as_of_date") }}' as date)
    {% else %}
    coalesce(
        (select max(extract_date) from {{ source('raw', 'load_log') }} where status = 'loaded'),
        (select cast(max(updated_at) as date) from {{ ref('stg_dossiers') }})
    )
    {% endif %}                                  as as_of_date,
    '{{ var("rule_version") }}'                  as rule_version
