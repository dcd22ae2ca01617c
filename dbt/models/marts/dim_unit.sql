-- The units scored, with block, province and validity dates (published as `units`).
select unit_code, unit_name, unit_type, parent_code, province_code, block, agency_id, valid_from, valid_to
from {{ ref('int_units') }}
