-- Per receiving unit, procedure and month: whether any dossier was online, carried a non-zero fee,
-- was paid online or used population data — the numerators of TTTT.1/2, MDSH.6 and CLGQ.2 are
-- the procedures of a unit's subtree with such a month inside the period.
-- A view, like fct_dossier_criteria: the rows are int_unit_month_procedure_usage's (27 M a national
-- year); the publication copies them into the analysts' file, by month.
{{ config(materialized='view') }}
select unit_code, procedure_code, received_month, any_online, any_nonzero_fee, any_paid_online, any_population_data
from {{ ref('int_unit_month_procedure_usage') }}
