-- A dossier in a criterion's numerator is always in its denominator.
select dossier_code from {{ ref('fct_dossier_criteria') }}
where (tdgq_1_num and not tdgq_1_den) or (clgq_3_num and not clgq_3_den) or (tttt_3_num and not tttt_3_den)
   or (mdsh_1_num and not mdsh_1_den) or (mdhl_3_num and not mdhl_3_den)
