-- One row per PAKN received up to the as-of date: its deadline, on_time_until (the last evaluation
-- date at which it counts as handled or in process on time) and whether it counts as unsatisfied,
-- so MDHL.1 / MDHL.2 can be listed PAKN by PAKN for any period (compare on_time_until with the
-- period's eval_date). No personal data: a PAKN row carries codes and dates only.
select
    feedback_code, unit_code, dossier_code, category, received_date, received_month, due_date,
    handled_at, status, on_time_until, is_unsatisfied
from {{ ref('int_feedback_facts') }}
