-- Procedures assigned to each unit (csdl_tthc_donvi), from the latest snapshot delivered: one row
-- per unit and procedure with the dates the assignment applies from and until (null: in force).
with latest as (
    select max(_extract_date) as snapshot_date from {{ source('raw', 'csdl_tthc_donvi') }}
)

select distinct
    s.MaCoQuan        as unit_code,
    s.MaTTHC          as procedure_code,
    s.NgayApDung      as applies_from,
    s.NgayHetHieuLuc  as applies_until
from {{ source('raw', 'csdl_tthc_donvi') }} as s
inner join latest on s._extract_date = latest.snapshot_date
