-- Rulebook §5a: a rated unit has a total and band; an unrated one has neither, nor any rank.
select unit_code, period_type, period
from {{ ref('fct_unit_scores') }}
where (rated and (total is null or band is null or rank_in_block is null))
   or (not rated and (total is not null or band is not null or rank_in_block is not null or rank_in_parent is not null))
