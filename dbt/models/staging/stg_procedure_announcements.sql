-- Every announcing decision seen for a procedure across all catalogue snapshots (an amendment
-- shows up as a new decision date on a later night), with the first publication date seen for it.
select
    MaTTHC                        as procedure_code,
    CoQuanCongBo                  as announcing_unit_code,
    cast(NgayQuyetDinhCongBo as date) as decision_date,
    cast(max(NgayHieuLucCanCu) as date) as legal_basis_effective_date,
    cast(min(NgayCongKhai) as date)     as published_date
from {{ source('raw', 'csdl_tthc') }}
where NgayQuyetDinhCongBo is not null and CoQuanCongBo is not null
group by MaTTHC, CoQuanCongBo, cast(NgayQuyetDinhCongBo as date)
