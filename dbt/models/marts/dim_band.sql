-- The rating bands as published (`bands`): reports state the thresholds from here, never from code.
select rule_version, band_order, band_name, band_name_en, min_total, evidence
from {{ ref('rulebook_bands') }}
