-- Which unit levels implement each procedure (CapThucHien of the latest snapshot, one row per level).
select distinct procedure_code, {{ unnest_list(split_to_list('levels', "','")) }} as unit_type
from {{ ref('stg_procedures') }}
where levels is not null and levels <> ''
