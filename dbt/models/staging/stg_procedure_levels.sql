-- Which unit levels implement each procedure (CapThucHien unnested), from the latest snapshot.
with ranked as (
    select
        MaTTHC,
        CapThucHien,
        row_number() over (partition by MaTTHC order by _extract_date desc, _line desc) as snapshot_rank
    from {{ source('raw', 'csdl_tthc') }}
)

select distinct
    MaTTHC                            as procedure_code,
    upper(trim(unnest(CapThucHien)))  as unit_type
from ranked
where snapshot_rank = 1
