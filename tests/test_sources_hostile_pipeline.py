"""Bad and hostile input through the real nightly job: a bad batch fails its gate and keeps the
publication, personal data in malformed shapes reaches no store, and a corrected re-delivery that
changes a closed month is published with a restatement that names the correction."""
from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
from pathlib import Path

import dagster as dg
import duckdb

from conftest import redeliver_night, rewrite_dossiers
from dagster_project.cli import run_nightly

NAME = "Đỗ Thị Plantedname"            # the ASCII part is what survives JSON \u escaping: searched too
CITIZEN = "038195012345"
PHONE = "0976543210"
NEEDLES = ("Plantedname", CITIZEN, CITIZEN.lstrip("0"), PHONE, PHONE.lstrip("0"), "0976 543 210", "0976.543.210")


def _planted(base: dict) -> list[str]:
    """Known personal data in twelve shapes, good lines and bad ones."""
    def v(i: int, **kw) -> str:
        return json.dumps({**base, "MaHoSo": f"{base['MaCoQuan']}-261004-9{i:04d}", **kw}, ensure_ascii=False)
    owner = {"HoTen": NAME, "SoDienThoai": PHONE, "DiaChi": "Phường 1"}
    fee = [{"MaPhiLePhi": "LP1", "TenPhiLePhi": f"Lệ phí - CCCD {CITIZEN}, ĐT 0976 543 210", "Gia": 0, "HinhThucThu": "1"}]
    cut = v(6, ChuHoSo=owner)
    return [
        v(1, ChuHoSo=f"{NAME} - {PHONE}"),                                   # 1 object sent as a string
        v(2, DinhDanhCHS=int(CITIZEN)),                                      # 2 identity as a bare number
        v(3, ChuHoSo=[NAME, PHONE, CITIZEN]),                                # 3 object sent as an array
        v(4, ChuHoSo={"NguoiNop": {"HoTen": NAME, "SoDienThoai": PHONE}}),  # 4 nested one level deeper (not stored)
        v(5, ChuHoSo={**owner, "SoDienThoai": int(PHONE)}),                  # 5 phone as a number (good line)
        cut[: cut.index(NAME) + 8],                                          # 6 line cut inside the name
        v(7, ChuHoSo={**owner, "DiaChi": f"CCCD {CITIZEN} ĐT 0976.543.210"}),  # 7 IDs in a personal free text
        v(8, DanhSachLePhi=fee),                                             # 8 IDs in a non-personal free text
        v(9, TrangThaiHoSo=42, HoTen=NAME, SoDienThoai=PHONE),               # 9 personal fields at the top level
        v(10, TrangThaiHoSo=42, ChuHoSo=owner).replace('"ChuHoSo"', '"Chu\\u0048oSo"'),  # 10 escaped field name
        json.dumps([NAME, CITIZEN, PHONE], ensure_ascii=False),              # 11 a line that is not an object
        v(12, MaTTHC=1.00432, DinhDanhCHS=[{"LoaiDinhDanh": 1, "SoDinhDanh": int(CITIZEN)}], ChuHoSo=owner),  # 12
    ]


def _duckdb_text(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute("""select table_catalog, table_schema, table_name, list(column_name)
                                from information_schema.columns where table_catalog = current_database()
                                group by all""").fetchall()
        out = []
        for catalog, schema, table, cols in tables:
            cells = " || '|' || ".join(f"coalesce(\"{c}\"::varchar, '')" for c in cols)
            out += [r[0] for r in con.execute(f'select {cells} from "{schema}"."{table}"').fetchall()]
    return "\n".join(out)


def _file_text(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    text = data.decode("utf-8", errors="replace")
    if data.startswith(b"SQLite format 3"):
        with sqlite3.connect(path) as con:
            text += "\n".join(con.iterdump())
    return text


def _hits(text: str) -> list[str]:
    return [n for n in NEEDLES if n in text]


def test_a_bad_and_hostile_night_fails_its_gate_keeps_the_publication_alerts_and_stores_no_personal_data(
        copied_home, capfd):
    """Night 2026-10-04: night 3 again, its dossier lines without MaTTHC (a whole batch bad), plus
    known personal data in twelve shapes. One failed run serves both checks (each run costs the
    suite ≈ 25 s): the gate holds the night back, and no store holds the planted data."""
    from dagster_project.jobs import alert_on_failure
    from dagster_project.resources import HomeResource

    landing = copied_home / "landing"
    published = copied_home / "published" / "svcindex.duckdb"
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    index = copied_home / "quality" / "data_docs" / "index.html"
    pages = index.read_text().count("validations/dvcqg_hoso_batch/")  # the night's page, listed by the index
    redeliver_night(landing, "2026-10-04")
    folder = landing / "dvcqg_hoso" / "2026-10-04"
    lines = gzip.decompress((folder / "part-00000.jsonl.gz").read_bytes()).decode().splitlines()
    without_procedure = [json.dumps({k: v for k, v in json.loads(line).items() if k != "MaTTHC"}, ensure_ascii=False)
                         for line in lines]
    planted = _planted(json.loads(lines[0]))
    rewrite_dossiers(folder, without_procedure + planted)
    assert all(n in "\n".join(planted) for n in NEEDLES[:2]), "the needles are what was planted"

    result = run_nightly()
    console = capfd.readouterr()

    # the bad batch: quarantined by field, the gate fails the run, the publication stays as it was
    assert not result.success
    with duckdb.connect(str(copied_home / "warehouse" / "svcindex.duckdb"), read_only=True) as con:
        bad_batch = con.execute("""select count(distinct line_no), min(field) from raw.quarantine
                                   where file_name = 'dvcqg_hoso/2026-10-04/part-00000.jsonl.gz' and line_no <= ?""",
                                [len(lines)]).fetchone()
        quarantined = con.execute("""select count(distinct line_no) from raw.quarantine
                                     where file_name = 'dvcqg_hoso/2026-10-04/part-00000.jsonl.gz' and line_no > ?""",
                                  [len(lines)]).fetchone()[0]
        loaded = con.execute("select count(*) from raw.dvcqg_hoso where MaHoSo like '%-261004-9%'").fetchone()[0]
    assert bad_batch == (len(lines), "MaTTHC")
    # the run stops at this gate, before the publication builds the Data Docs index: the step that
    # blocks builds it, so the night's batch is listed there
    assert index.read_text().count("validations/dvcqg_hoso_batch/") == pages + 1
    failed_checks = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert any(e.asset_key.path == ["raw", "dvcqg_hoso"] for e in failed_checks)
    assert not result.is_node_success("published_warehouse")
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before
    instance = dg.DagsterInstance.get()
    failure = next(e for e in instance.all_logs(result.run_id) if e.dagster_event and e.dagster_event.is_run_failure)
    alert_on_failure(dg.build_run_status_sensor_context(
        sensor_name="alert_on_failure", dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id), dagster_event=failure.dagster_event,
        resources={"home": HomeResource(root=str(copied_home))},
    ).for_run_failure())
    alert = json.loads((copied_home / "alerts" / "alerts.jsonl").read_text().splitlines()[-1])
    assert alert["run_id"] == result.run_id and alert["job"] == "nightly"

    # the planted lines (they keep their MaTTHC): shapes 5, 7, 8 are good lines, loaded
    # pseudonymised; 4 loads too, its unknown members dropped
    assert quarantined == 8 and loaded == 4
    stores = {"console": console.out + console.err}
    for db in (copied_home / "warehouse" / "svcindex.duckdb", published):
        stores[str(db)] = _duckdb_text(db)
    scanned = 0
    for path in copied_home.rglob("*"):
        if path.is_file() and "landing" not in path.relative_to(copied_home).parts and path.suffix != ".duckdb":
            stores[str(path)] = _file_text(path)
            scanned += 1
    assert scanned > 10 and any("dagster" in p and p.endswith(".db") for p in stores), sorted(stores)
    assert any("alerts.jsonl" in p for p in stores)
    leaks = {where: hits for where, text in stores.items() if (hits := _hits(text))}
    assert leaks == {}
    # the scan does find them where they are: the landing file itself
    assert _hits(_file_text(folder / "part-00000.jsonl.gz"))


def test_a_correction_of_a_closed_month_is_restated_naming_it(second_run_home):
    """Night 3's dossier file re-delivered under the same name with one more dossier received in
    closed September (conftest.second_run_home): September is restated, naming the correction."""
    run = second_run_home
    assert run.exit_code == 0, run.output
    assert run.old_sha != run.new_sha
    with duckdb.connect(str(run.root / "warehouse" / "svcindex.duckdb"), read_only=True) as con:
        assert con.execute("select replaces_sha256, file_sha256 from raw.load_log where file_name = ? and status = 'loaded'",
                           [run.corrected_file]).fetchall() == [(run.old_sha, run.new_sha)]
    with duckdb.connect(str(run.root / "published" / "svcindex.duckdb"), read_only=True) as con:
        restated = con.execute("""select reason, old_total, new_total from restatements
                                  where unit_code = ? and period_type = 'month' and period = '2026-09'""",
                               [run.corrected_unit]).fetchall()
    assert len(restated) == 1, restated
    reason, old_total, new_total = restated[0]
    assert old_total != new_total
    assert (f"after correction of {run.corrected_file} (sha256 {run.old_sha[:12]}… replaced by "
            f"{run.new_sha[:12]}…)") in reason
