"""A small published analyst file, built with SQL, for the report tests.

No pipeline has produced one yet, so this follows the column lists of spec/published.md:
three ministries, five provinces (Phú Thọ with departments, communes and one unit two levels
down), two months, October published twice (mid-month and month-end as-of dates), an older
rule version for October, and a quality_results table. Scores are derived the way the
rulebook derives them (criterion points → rounded groups → total → band → rank), from
hash-based ratios so the numbers look real but are reproducible.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

UNITS_SQL = """
CREATE TABLE units AS SELECT * FROM (VALUES
  ('G01', 'Bộ Công an',                       'BO',     NULL,  NULL),
  ('G10', 'Bộ Tư pháp',                       'BO',     NULL,  NULL),
  ('G22', 'Bảo hiểm xã hội Việt Nam',         'BO',     NULL,  NULL),
  ('H01', 'Thành phố Hà Nội',                 'TINH',   NULL,  'H01'),
  ('H27', 'Tỉnh Bắc Ninh',                    'TINH',   NULL,  'H27'),
  ('H44', 'Tỉnh Phú Thọ',                     'TINH',   NULL,  'H44'),
  ('H48', 'Thành phố Đà Nẵng',                'TINH',   NULL,  'H48'),
  ('H79', 'Thành phố Hồ Chí Minh',            'TINH',   NULL,  'H79'),
  ('H44.S01', 'Sở Tư pháp tỉnh Phú Thọ',      'SO',     'H44', 'H44'),
  ('H44.S02', 'Sở Y tế tỉnh Phú Thọ',         'SO',     'H44', 'H44'),
  ('H44.X01', 'Phường Việt Trì',              'XA',     'H44', 'H44'),
  ('H44.X02', 'Xã Thanh Sơn',                 'XA',     'H44', 'H44'),
  ('H44.S02.D1', 'Trung tâm Kiểm soát bệnh tật tỉnh Phú Thọ', 'DON_VI', 'H44.S02', 'H44'),
  ('H01.S01', 'Sở Tư pháp thành phố Hà Nội',  'SO',     'H01', 'H01'),
  ('H01.X01', 'Phường Hoàn Kiếm',             'XA',     'H01', 'H01')
) t(unit_code, unit_name, unit_type, parent_code, province_code);
ALTER TABLE units ADD COLUMN valid_from DATE DEFAULT DATE '2025-07-01';
ALTER TABLE units ADD COLUMN valid_to DATE;
"""

CRITERIA_SQL = """
CREATE TABLE criteria AS
SELECT rv AS rule_version, c.*, g.group_name_vi, g.group_sort_order,
       DATE '2023-01-01' AS effective_from, NULL::DATE AS effective_to FROM (VALUES
  ('CKMB.1', 'CKMB', 'Tỷ lệ TTHC công bố đúng hạn', 'Procedures announced on time', 6, 'linear', NULL, 'decision_date'),
  ('CKMB.3', 'CKMB', 'Tỷ lệ TTHC công khai đầy đủ các bộ phận tạo thành', 'Procedures published in full', 2, 'linear', NULL, 'snapshot'),
  ('CKMB.4', 'CKMB', 'Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG', 'Dossiers synced to the portal', 10, 'linear', NULL, 'received_date'),
  ('TDGQ.1', 'TDGQ', 'Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn', 'Dossiers processed on time', 20, 'linear', NULL, 'received_date'),
  ('CLGQ.1', 'CLGQ', 'Tỷ lệ TTHC cung cấp DVCTT', 'Procedures offered online', 2, 'target', 0.8, 'snapshot'),
  ('CLGQ.3', 'CLGQ', 'Tỷ lệ hồ sơ trực tuyến', 'Online dossiers', 10, 'target', 0.5, 'received_date'),
  ('TTTT.3', 'TTTT', 'Tỷ lệ hồ sơ thanh toán trực tuyến', 'Dossiers paid online', 10, 'linear', NULL, 'processing_start_date'),
  ('MDSH.1', 'MDSH', 'Tỷ lệ hồ sơ có cấp kết quả điện tử', 'Dossiers with an e-result', 12, 'linear', NULL, 'received_date'),
  ('MDSH.2', 'MDSH', 'Tỷ lệ hồ sơ được số hóa', 'Dossiers digitised', 10, 'linear', NULL, 'received_date'),
  ('MDHL.1', 'MDHL', 'Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn', 'Feedback handled on time', 6, 'linear', NULL, 'first_receipt_date'),
  ('MDHL.3', 'MDHL', 'Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC', 'Satisfaction with procedures', 12, 'target', 0.9, 'received_date')
) c(criterion_code, group_code, name_vi, name_en, max_points, curve, target, period_basis)
-- the portal columns' names and order, as dim_criterion publishes them from the rulebook_groups seed
JOIN (VALUES
  ('CKMB', 'Công khai, minh bạch', 1), ('TDGQ', 'Tiến độ, kết quả giải quyết', 2),
  ('CLGQ', 'Dịch vụ công trực tuyến', 3), ('TTTT', 'Thanh toán trực tuyến', 4),
  ('MDSH', 'Số hóa hồ sơ', 5), ('MDHL', 'Mức độ hài lòng', 6)
) g(group_code, group_name_vi, group_sort_order) USING (group_code),
(VALUES ('2025'), ('2026')) v(rv);
"""

# Which (period, as_of, rule_version) snapshots exist; `skill` shifts the scores so that the
# two months and two rule versions differ.
SNAPSHOTS_SQL = """
CREATE TEMP TABLE snapshots AS SELECT * FROM (VALUES
  ('2026-09', DATE '2026-09-30', '2026', 0.00),
  ('2026-10', DATE '2026-10-15', '2026', -0.05),
  ('2026-10', DATE '2026-10-31', '2026', 0.03),
  ('2026-10', DATE '2026-10-31', '2025', 0.10)
) t(period, as_of_date, rule_version, skill);
"""

CRITERION_SCORES_SQL = """
CREATE TABLE criterion_scores AS
WITH base AS (
  SELECT u.unit_code, u.unit_name, u.unit_type,
         CASE WHEN u.unit_type = 'BO' THEN 'BO' ELSE 'TINH' END AS block,
         u.parent_code, 'month' AS period_type, s.period, s.as_of_date, s.rule_version,
         c.criterion_code, c.group_code, c.max_points, c.curve, c.target,
         -- a unit-level quality (some units weak) times per-criterion noise
         least(1.0, greatest(0.0, 0.40 + (hash(u.unit_code) % 1000) / 1000.0 * 0.60 + s.skill
               + ((hash(u.unit_code || c.criterion_code || s.period) % 200)::INTEGER - 100) / 1000.0)) AS quality,
         (hash(u.unit_code || c.criterion_code || s.period || 'n') % 5000) + 1 AS denominator
  FROM units u CROSS JOIN snapshots s JOIN criteria c ON c.rule_version = s.rule_version
)
SELECT unit_code, unit_name, unit_type, block, parent_code, period_type, period, as_of_date,
       rule_version, criterion_code, group_code,
       CASE WHEN empty THEN 0 ELSE round(quality * denominator)::BIGINT END AS numerator,
       CASE WHEN empty THEN 0 ELSE denominator END AS denominator,
       CASE WHEN empty THEN NULL ELSE round(quality * denominator) / denominator END AS ratio,
       CASE WHEN empty THEN max_points
            WHEN curve = 'target' THEN max_points * least(1.0, round(quality * denominator) / denominator / target)
            ELSE max_points * round(quality * denominator) / denominator END AS points,
       max_points,
       CASE WHEN empty THEN 'empty_full' END AS policy_applied
FROM (SELECT *, criterion_code = 'MDHL.1' AND unit_code IN ('H44.X02', 'G22') AS empty FROM base);
"""

GROUP_SCORES_SQL = """
CREATE TABLE group_scores AS
SELECT unit_code, unit_name, unit_type, block, parent_code, period_type, period, as_of_date,
       rule_version, group_code, round(sum(points), 2) AS points, sum(max_points) AS max_points
FROM criterion_scores GROUP BY ALL;
INSERT INTO group_scores
SELECT unit_code, unit_name, unit_type, block, parent_code, period_type, period, as_of_date,
       rule_version, 'CCDVTT', sum(points), sum(max_points)
FROM group_scores WHERE group_code IN ('CLGQ', 'TTTT') GROUP BY ALL;
"""

UNIT_SCORES_SQL = """
CREATE TABLE unit_scores AS
WITH wide AS (
  SELECT unit_code, unit_name, unit_type, block, parent_code, period_type, period, as_of_date, rule_version,
         sum(points) FILTER (group_code = 'CKMB') AS ckmb, sum(points) FILTER (group_code = 'TDGQ') AS tdgq,
         sum(points) FILTER (group_code = 'CLGQ') AS clgq, sum(points) FILTER (group_code = 'TTTT') AS tttt,
         sum(points) FILTER (group_code = 'MDSH') AS mdsh, sum(points) FILTER (group_code = 'MDHL') AS mdhl
  FROM group_scores WHERE group_code <> 'CCDVTT' GROUP BY ALL
), totals AS (
  SELECT *, round(ckmb + tdgq + clgq + tttt + mdsh + mdhl, 2) AS total FROM wide
)
SELECT t.*,
       CASE WHEN total >= 90 THEN 'Xuất sắc' WHEN total >= 80 THEN 'Tốt' WHEN total >= 70 THEN 'Khá'
            WHEN total >= 50 THEN 'Trung bình' ELSE 'Yếu' END AS band,
       rank() OVER (PARTITION BY block, period, as_of_date, rule_version, unit_type IN ('BO', 'TINH')
                    ORDER BY total DESC) AS rank_in_block,
       rank() OVER (PARTITION BY coalesce(parent_code, block), period, as_of_date, rule_version
                    ORDER BY total DESC) AS rank_in_parent,
       round(total - (SELECT p.total FROM totals p
                      WHERE p.unit_code = t.unit_code AND p.rule_version = t.rule_version
                        AND p.period = strftime(strptime(t.period || '-01', '%Y-%m-%d') - INTERVAL 1 MONTH, '%Y-%m')
                      ORDER BY p.as_of_date DESC LIMIT 1), 2) AS total_change,
       -- rulebook §5a columns: every sample unit had activity; the months are covered whole
       true AS rated, 10::BIGINT AS dossiers_received, 0::BIGINT AS feedback_received,
       strptime(t.period || '-01', '%Y-%m-%d')::DATE AS coverage_first_night,
       least(t.as_of_date, last_day(strptime(t.period || '-01', '%Y-%m-%d')::DATE)) AS coverage_last_night,
       true AS coverage_complete
FROM totals t;
"""

# Shaped like dagster_project/publish.py writes them (row counts and gate summary as JSON).
PUBLICATION_SQL = """
CREATE TABLE publication_log AS SELECT run_id, published_at, as_of_date, rule_version,
       row_counts::JSON AS row_counts, gate_summary::JSON AS gate_summary FROM (VALUES
  ('run-2025-10-31', TIMESTAMP '2026-11-01 02:00:00', DATE '2026-10-31', '2025', '{"unit_scores": 15}', '{}'),
  ('run-2026-09-30', TIMESTAMP '2026-10-01 02:00:00', DATE '2026-09-30', '2026', '{"unit_scores": 15}', '{}'),
  ('run-2026-10-15', TIMESTAMP '2026-10-16 02:00:00', DATE '2026-10-15', '2026', '{"unit_scores": 15}', '{}'),
  ('run-2026-10-31', TIMESTAMP '2026-11-01 03:00:00', DATE '2026-10-31', '2026', '{"unit_scores": 15}',
   '{"fct_unit_scores.row_count_drop_vs_previous_night": "warning-fail"}')
) t(run_id, published_at, as_of_date, rule_version, row_counts, gate_summary);
CREATE TABLE quality_results AS SELECT * FROM (VALUES
  ('raw_dossiers', 'expect_column_values_to_not_be_null', 'ma_ho_so', 'blocking', true, '0 null'),
  ('raw_dossiers', 'expect_column_values_to_be_in_set', 'trang_thai', 'blocking', true, '0 unexpected'),
  ('fct_unit_scores', 'total_equals_sum_of_rounded_groups', NULL, 'blocking', true, 'max diff 0.00'),
  ('fct_unit_scores', 'row_count_drop_vs_previous_night', NULL, 'warning', false, 'H48: -12.5%')
) t(suite, expectation, column_name, severity, success, observed);
ALTER TABLE quality_results ADD COLUMN run_id VARCHAR DEFAULT 'run-2026-10-31';
ALTER TABLE quality_results ADD COLUMN checked_at TIMESTAMP DEFAULT TIMESTAMP '2026-11-01 02:50:00';
"""


def build_sample_published_db(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        for sql in (UNITS_SQL, CRITERIA_SQL, SNAPSHOTS_SQL, CRITERION_SCORES_SQL, GROUP_SCORES_SQL,
                    UNIT_SCORES_SQL, PUBLICATION_SQL):
            con.execute(sql)
    return path


def test_sample_db_has_weak_units_and_every_band_source(tmp_path):
    db = build_sample_published_db(tmp_path / "published.duckdb")
    with duckdb.connect(str(db), read_only=True) as con:
        bands = {b for (b,) in con.execute(
            "SELECT DISTINCT band FROM unit_scores WHERE period = '2026-10' AND rule_version = '2026'").fetchall()}
        assert "Yếu" in bands and len(bands) >= 3
        diff = con.execute("SELECT max(abs(total - (ckmb + tdgq + clgq + tttt + mdsh + mdhl))) FROM unit_scores").fetchone()[0]
        assert diff < 0.005
