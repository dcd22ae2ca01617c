-- Every (unit, ancestor) pair including the unit itself: a unit is scored over the dossiers
-- of all units under its authority, so counts roll up along this bridge (never scores).
-- The walk up parent_code (at most 10 levels) is macros/portable.sql: recursive CTE on DuckDB.
{{ unit_ancestor_pairs(ref('stg_units'), max_depth=10) }}
