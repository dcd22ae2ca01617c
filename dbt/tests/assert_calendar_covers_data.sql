-- The working-day calendar reaches every date the run needs: each dossier's and PAKN's receipt,
-- a year of deadlines after the last of them, and the as-of date. Past its last day a dossier
-- without a portal due date would get none and count as on time for ever.
-- dagster-dbt attaches a singular test that refs several nodes to the one named here, so it runs
-- and reports as an asset check of that asset (not a bare observation).
{{ config(meta={'dagster': {'ref': {'name': 'int_calendar'}}}) }}
with needed as (
    select min(received_date) as first_needed,
           cast({{ dbt.dateadd('year', 1, 'max(received_date)') }} as date) as last_needed
    from (
        select received_date from {{ ref('stg_dossiers') }}
        union all
        select received_date from {{ ref('stg_feedback') }}
        union all
        select as_of_date from {{ ref('int_run_context') }}
    ) as d
),

calendar as (
    select min(calendar_date) as first_day, max(calendar_date) as last_day from {{ ref('int_calendar') }}
)

select n.first_needed, n.last_needed, c.first_day, c.last_day
from needed as n
cross join calendar as c
where n.first_needed < c.first_day or n.last_needed > c.last_day
