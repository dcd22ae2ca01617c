"""The batch and score gates on rows too many for one DataFrame (a national month): Great
Expectations sees the first chunk, SQL over every record answers each row and batch expectation.
Their verdicts are GE's own on the whole frame, and a bad row or a duplicate anywhere still blocks."""
from __future__ import annotations

import duckdb

from dagster_project.assets import ingest
from dagster_project.assets.publication import SCORE_SUITES, score_query
from dagster_project.quality.batch_sql import BatchSql, query_chunks
from dagster_project.quality.gate import validate, validate_chunks


def _enlarge(con) -> list[str]:
    """The session's dossier versions copied 40 times under new dossier codes (still well formed),
    so that the batch spans several 2,048-row chunks; returns the batch's file names."""
    con.execute("""insert into raw.dvcqg_hoso
                   select h.* replace (MaHoSo || lpad(i::varchar, 2, '0') as MaHoSo)
                   from raw.dvcqg_hoso h, range(1, 41) r(i)""")
    return [r[0] for r in con.execute("select distinct _file from raw.dvcqg_hoso order by 1").fetchall()]


def _gate(con, files):
    """(the gate as the ingest asset runs it, GE alone on the whole batch in one frame)"""
    gated = validate_chunks("dvcqg_hoso_batch", ingest.batch_chunks(con, "dvcqg_hoso", files, vectors=1),
                            whole_batch=ingest.batch_sql(con, "dvcqg_hoso", files))
    whole = validate("dvcqg_hoso_batch", next(ingest.batch_chunks(con, "dvcqg_hoso", files, first=10**6)))
    return gated, whole


def _verdicts(result):
    return {(o.expectation, o.column): (o.success, o.observed.split(",")[0] if not o.success else "")
            for o in result.outcomes}


def test_the_gate_on_chunks_judges_like_ge_on_the_whole_batch(copied_home):
    with duckdb.connect(str(copied_home / "warehouse" / "svcindex.duckdb")) as con:
        files = _enlarge(con)
        rows = con.execute("select count(*) from raw.dvcqg_hoso").fetchone()[0]
        chunks = [len(c) for c in ingest.batch_chunks(con, "dvcqg_hoso", files, vectors=1)]
        default = [len(c) for c in ingest.batch_chunks(con, "dvcqg_hoso", files)]
        gated, whole = _gate(con, files)
    assert len(chunks) > 1 and sum(chunks) == rows
    # GE's own look (the Data Docs page) is one vector; SQL answers for the rest of the batch
    assert 0 < default[0] <= 2048 and sum(default) == rows
    assert gated.rows == whole.rows == rows
    assert gated.passed and whole.passed
    assert _verdicts(gated) == _verdicts(whole)


def test_a_bad_row_or_a_duplicate_in_any_chunk_blocks(copied_home):
    with duckdb.connect(str(copied_home / "warehouse" / "svcindex.duckdb")) as con:
        files = _enlarge(con)
        # a version delivered twice (under another night's file), an out-of-range status, a
        # result dated before receipt, a malformed dossier code (a warning)
        con.execute("""insert into raw.dvcqg_hoso
                       select * replace (? as _file) from raw.dvcqg_hoso where _file = ? limit 1""", [files[-1], files[0]])
        con.execute("""insert into raw.dvcqg_hoso select * replace (MaHoSo || '99' as MaHoSo, 99 as TrangThaiHoSo)
                       from raw.dvcqg_hoso where _file = ? limit 1""", [files[-1]])
        con.execute("""insert into raw.dvcqg_hoso select * replace ('bad code' as MaHoSo, NgayTiepNhan - interval 3 day as NgayTra)
                       from raw.dvcqg_hoso where _file = ? and NgayTiepNhan is not null limit 1""", [files[-1]])
        gated, whole = _gate(con, files)
    failed = {(o.expectation, o.column): o.observed for o in gated.blocking_failures}
    assert set(failed) == {("expect_compound_columns_to_be_unique", "MaHoSo,NgayCapNhat"),
                           ("expect_column_values_to_be_in_set", "TrangThaiHoSo"),
                           ("expect_column_pair_values_a_to_be_greater_than_b", "NgayTra,NgayTiepNhan")}
    assert [(o.expectation, o.column) for o in gated.warnings] == [("expect_column_values_to_match_regex", "MaHoSo")]
    assert not gated.passed
    assert _verdicts(gated) == _verdicts(whole)


def test_the_score_gates_on_chunks_judge_like_ge_on_the_whole_frame(copied_home):
    """The score gates stream the scores about to be published the same way: each suite's verdicts,
    unexpected counts included, are GE's own on the whole frame, on clean scores and on scores
    broken in every way a suite checks (a row condition and a missing value among them)."""
    with duckdb.connect(str(copied_home / "warehouse" / "svcindex.duckdb")) as con:
        as_of = "(select max(as_of_date) from marts.fct_criterion_scores)"
        verdicts = []
        for broken in (False, True):
            if broken:
                con.execute(f"""update marts.fct_criterion_scores set
                    numerator = case when rowid % 7 = 0 then denominator + 1 else numerator end,
                    points = case when rowid % 11 = 0 then max_points + 1 when rowid % 13 = 0 then null else points end,
                    ratio = case when rowid % 17 = 0 then 1.5 else ratio end
                    where as_of_date = {as_of}""")
                con.execute("update marts.fct_group_scores set points = max_points + 1 where rowid % 5 = 0")
                con.execute("update marts.fct_unit_scores set total = 101, band = 'Tuyệt hảo' where rowid % 3 = 0")
            for suite, sql in SCORE_SUITES.values():
                query = score_query(con, sql)
                gated = validate_chunks(suite, query_chunks(con, query, [], vectors=1),
                                        whole_batch=BatchSql(con, query, []))
                whole = validate(suite, con.execute(query).df())
                assert gated.rows == whole.rows
                assert _verdicts(gated) == _verdicts(whole), suite
                verdicts.append((broken, suite, gated.passed))
    assert [v for v in verdicts if not v[0]] == [(False, s, True) for s, _ in SCORE_SUITES.values()]
    assert [v for v in verdicts if v[0]] == [(True, s, False) for s, _ in SCORE_SUITES.values()]
