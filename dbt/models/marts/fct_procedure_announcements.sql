-- Every announcing decision judged for CKMB.1 (announced on time) and CKMB.2 (published on CSDLQG
-- on time), so `svcindex explain` can list the procedures behind a ministry's or province's ratio.
select
    procedure_code, announcing_unit_code, decision_date, legal_basis_effective_date, published_date,
    announced_on_time, publication_due_date, published_on_time
from {{ ref('int_procedure_announcement_timeliness') }}
