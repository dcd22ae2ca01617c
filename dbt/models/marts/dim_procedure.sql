-- The procedure catalogue as of the latest snapshot.
select
    procedure_code,
    procedure_name as name,
    levels,
    announcing_unit_code,
    online_level,
    full_online_eligible,
    requires_paper_result,
    has_fee,
    serves_citizens,
    time_limit,
    time_unit,
    has_all_parts,
    catalogue_status,
    decision_at,
    legal_basis_effective_at,
    published_at
from {{ ref('stg_procedures') }}
