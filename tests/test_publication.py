"""Publication: warnings report without blocking, readers are never locked out, restatements are logged."""
from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
import textwrap
from hashlib import sha256
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.cli import run_nightly
from dagster_project.quality.gate import validate


def files_frame(rate: float) -> pd.DataFrame:
    return pd.DataFrame({"status": ["loaded"], "quarantine_rate": [rate], "volume_ratio": [1.0]})


def test_warning_reports_without_blocking_and_blocking_blocks():
    clean, warned, blocked = (validate("ingest_files", files_frame(r)) for r in (0.0, 0.005, 0.05))
    assert clean.passed and not clean.warnings
    assert warned.passed and [w.column for w in warned.warnings] == ["quarantine_rate"]
    assert not blocked.passed and [b.column for b in blocked.blocking_failures] == ["quarantine_rate"]


READER = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("select count(*) from publication_log").fetchone()[0], flush=True)
    sys.stdin.readline()                      # hold the file open until the run is over
    print(con.execute("select count(*) from unit_scores").fetchone()[0], flush=True)
""")


def test_reader_holding_the_published_file_open_during_a_run(copied_home):
    published = copied_home / "published" / "svcindex.duckdb"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(published)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    before = published_scores(published)
    try:
        assert reader.stdout.readline().strip() == "1"
        result = run_nightly(full_refresh=True)   # the same nights again (without it: "nothing new")
        assert result.success
        out, err = reader.communicate("go\n", timeout=60)
    finally:
        reader.kill()
    assert reader.returncode == 0, err
    assert int(out.strip()) > 0                    # the reader kept reading its snapshot
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from publication_log").fetchone()[0] == 2
    assert published_scores(published) == before   # the same nights twice: the same published scores


def published_scores(published: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(published), read_only=True) as con:
        return {t: con.execute(f"select * from {t} order by all").fetchall()
                for t in ("unit_scores", "group_scores", "criterion_scores", "dossier_criteria")}


def _late_september_dossier(landing: Path, night: str) -> str:
    """Deliver `night` as a copy of the last night, plus one dossier received in (closed) September."""
    for source_dir in landing.iterdir():
        last = sorted(p for p in source_dir.iterdir() if p.is_dir())[-1]
        shutil.copytree(last, source_dir / night)
        manifest = json.loads((source_dir / night / "_manifest.json").read_text())
        manifest["extract_date"] = night
        (source_dir / night / "_manifest.json").write_text(json.dumps(manifest))
    folder = landing / "dvcqg_hoso" / night
    part = folder / "part-00000.jsonl.gz"
    lines = gzip.decompress(part.read_bytes()).decode().splitlines()
    late = json.loads(lines[0])
    code = late["MaCoQuan"]
    late.update(MaHoSo=f"{code}-260915-99999", TrangThaiHoSo=4, KenhThucHien=1,
                NgayNopHoSo="20260915080000", NgayTiepNhan="20260915080000", NgayHenTra="20260918170000",
                NgayKetThucXuLy=None, NgayTra=None, NgayTuChoi=None, NgayCapNhat=f"{night.replace('-', '')}100000",
                DanhSachHoSoBoSung=[], DanhSachGiayToKetQua=[])
    data = gzip.compress(("\n".join(lines + [json.dumps(late, ensure_ascii=False)]) + "\n").encode(), mtime=0)
    part.write_bytes(data)
    manifest = json.loads((folder / "_manifest.json").read_text())
    manifest["files"] = [{"name": part.name, "rows": len(lines) + 1, "sha256": sha256(data).hexdigest()}]
    (folder / "_manifest.json").write_text(json.dumps(manifest))
    return code


def test_late_data_for_a_closed_month_is_published_with_a_restatement(copied_home):
    unit = _late_september_dossier(copied_home / "landing", "2026-10-04")
    assert run_nightly().success
    with duckdb.connect(str(copied_home / "published" / "svcindex.duckdb"), read_only=True) as con:
        restated = con.execute("""select unit_code, period_type, period, old_total, new_total, reason
                                  from restatements""").df()
        month = con.execute("""select total from unit_scores
                               where unit_code = ? and period_type = 'month' and period = '2026-09'""",
                            [unit]).fetchone()[0]
    september = restated[(restated.period == "2026-09") & (restated.unit_code == unit)]
    assert len(september) == 1, restated
    row = september.iloc[0]
    assert row.new_total == month and row.old_total != row.new_total
    assert "TDGQ.1" in row.reason
    with duckdb.connect(str(copied_home / "warehouse" / "svcindex.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from ops.restatements where period = '2026-09'").fetchone()[0] >= 1
