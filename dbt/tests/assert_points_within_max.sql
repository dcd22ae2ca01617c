-- A criterion never scores more than its (possibly redistributed) maximum, nor below 0.
select * from {{ ref('fct_criterion_scores') }}
where points < 0 or points > max_points + 1e-9
