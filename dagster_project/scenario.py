"""What-if scenarios: the index recomputed under changed rulebook values, published apart.

A scenario never touches the official warehouse or publication. It copies the warehouse into
`$SVCINDEX_HOME/scenarios/<name>/warehouse/`, changes rows of the rulebook seed tables there (the
rulebook is data: `--set TDGQ.1.max_points=25`, or an overlay CSV shaped like a seed), rebuilds
every dbt model on that copy (`dbt run --full-refresh`, same rule version and as-of date as the
official publication) and publishes it with the official publication code (atomic swap) into
`$SVCINDEX_HOME/scenarios/<name>/svcindex.duckdb`, with a `scenario` table saying what changed.
dbt's data tests run too, but do not block: a scenario may break an official invariant on purpose
(maxima summing to 100). The warehouse copy is removed afterwards.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .settings import DBT_PROJECT_DIR, Home, home
from .user_input import Failure, UsageProblem, nearest
from .warehouse import connection

# seed -> (key columns besides rule_version, columns a scenario may change)
RULEBOOK_SEEDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "rulebook_criteria": (("criterion_code",), ("max_points", "curve", "target", "empty_policy", "period_basis",
                                                 "effective_from", "effective_to")),
    "rulebook_parameters": (("criterion_code", "block", "parameter"), ("value",)),
    "rulebook_bands": (("band_name",), ("min_total",)),
    "rulebook_applicability": (("criterion_code", "unit_type"), ("policy",)),
}
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Change:
    seed: str
    key: dict[str, str]      # key column -> value (rule_version excluded)
    column: str
    value: str
    said: str                 # as the user wrote it

    def where(self) -> str:
        return " and ".join(f"{k} = ?" for k in self.key)


def parse_set(text: str) -> list[Change]:
    """`TDGQ.1.max_points=25` (criteria column), `MDHL.1.handling_working_days=10` (a parameter,
    every block; `CKMB.1.n_working_days@TINH=3` for one block), `band.Tốt=85` (a band's minimum)."""
    left, sep, value = text.partition("=")
    left, value = left.strip(), value.strip()
    if not sep or not left or not value:
        raise UsageProblem(f"--set {text!r}: write CODE.column=value, e.g. TDGQ.1.max_points=25")
    if left.lower().startswith("band."):
        return [Change("rulebook_bands", {"band_name": left[5:]}, "min_total", value, text)]
    code, _, column = left.rpartition(".")
    column, _, block = column.partition("@")
    if not code:
        raise UsageProblem(f"--set {text!r}: name a criterion and a column, e.g. TDGQ.1.max_points=25")
    if column in RULEBOOK_SEEDS["rulebook_criteria"][1]:
        return [Change("rulebook_criteria", {"criterion_code": code}, column, value, text)]
    key = {"criterion_code": code, "parameter": column}
    if block:
        key["block"] = block
    return [Change("rulebook_parameters", key, "value", value, text)]


def read_overlay(path: Path) -> list[Change]:
    """An overlay CSV named after the rulebook seed it overlays (rulebook_criteria.csv, …) with
    the seed's key columns and the columns to change, e.g. `criterion_code,max_points` /
    `TDGQ.1,25`; rule_version may be given and must then match the scenario's. A folder: every
    such CSV in it."""
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    changes: list[Change] = []
    for f in files:
        if f.stem not in RULEBOOK_SEEDS:
            raise UsageProblem(f"--overlay {f}: the file must be named after the seed it overlays: "
                               + ", ".join(f"{s}.csv" for s in RULEBOOK_SEEDS))
        keys, editable = RULEBOOK_SEEDS[f.stem]
        with open(f, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [k for k in keys if k not in header and not (f.stem == "rulebook_parameters" and k == "block")]
            unknown = [c for c in header if c not in (*keys, *editable, "rule_version")]
            if missing or unknown:
                raise UsageProblem(f"--overlay {f}: " + (f"missing key column(s) {', '.join(missing)}; " if missing else "")
                                   + (f"column(s) {', '.join(unknown)} cannot be changed; " if unknown else "")
                                   + f"keys: {', '.join(keys)}; changeable: {', '.join(editable)}")
            for line, row in enumerate(reader, start=2):
                key = {k: row[k] for k in (*keys, "rule_version") if row.get(k)}
                for column in editable:
                    if row.get(column) not in (None, ""):
                        changes.append(Change(f.stem, key, column, row[column], f"{f.name}:{line} {column}={row[column]}"))
    if not changes:
        raise UsageProblem(f"--overlay {path}: no value to change")
    return changes


def scenario_dir(h: Home, name: str) -> Path:
    if not NAME.match(name):
        raise UsageProblem(f"scenario name {name!r}: letters, digits, '-' and '_' only (a folder name)")
    return h.root / "scenarios" / name


def apply_changes(con, changes: list[Change], rule_version: str) -> list[tuple]:
    """UPDATE the rulebook seed tables of the scenario warehouse; each change must hit a row."""
    done = []
    for c in changes:
        key = dict(c.key)
        version = key.pop("rule_version", rule_version)
        if version != rule_version:
            raise UsageProblem(f"{c.said}: rule version {version}, but the scenario scores rule version {rule_version}")
        table = f"rulebook.{c.seed}"
        where = " and ".join(["rule_version = ?", *(f"{k} = ?" for k in key)])
        params = [version, *key.values()]
        old = con.execute(f"select distinct {c.column}::varchar from {table} where {where}", params).fetchall()
        if not old:
            first = next(iter(key))
            existing = [r[0] for r in con.execute(f"select distinct {first} from {table} where rule_version = ? "
                                                  "order by 1", [version]).fetchall()]
            close = nearest(key[first], existing)
            raise UsageProblem(f"{c.said}: no row of {c.seed} (rule version {version}) with "
                               + ", ".join(f"{k} {v!r}" for k, v in key.items())
                               + (f"; did you mean {close[0]}?" if close else f"; {first}: {', '.join(existing[:30])}"))
        try:
            con.execute(f"update {table} set {c.column} = ? where {where}", [c.value, *params])
        except Exception as e:  # a value of the wrong type: say which, not DuckDB's cast error
            raise UsageProblem(f"{c.said}: {c.value!r} is not a valid {c.column} ({str(e).splitlines()[0]})") from None
        done.append((c.said, c.seed, json.dumps(key, ensure_ascii=False), c.column,
                     ", ".join(sorted(str(o[0]) for o in old)), c.value))
    return done


def _dbt(args: list[str], scen: Path, log) -> subprocess.CompletedProcess:
    env = {**os.environ, "SVCINDEX_HOME": str(scen), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "DBT_USE_COLORS": "false"}
    cmd = [str(Path(sys.executable).parent / "dbt"), *args, "--profiles-dir", str(DBT_PROJECT_DIR),
           "--target-path", str(scen / "dbt_target"), "--log-path", str(scen / "dbt_logs")]
    done = subprocess.run(cmd, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
    log.write(done.stdout + done.stderr)
    return done


def run_scenario(name: str, changes: list[Change], echo=print):
    """Build and publish scenario `name`; returns (publication, failed dbt tests, totals against the official file)."""
    h = home()
    if not h.published.exists() or not h.warehouse.exists():
        raise Failure(f"no official publication under {h.root} yet: a scenario changes the rules of an existing "
                      "run; run `svcindex run` (or `svcindex demo`) first")
    scen = scenario_dir(h, name)
    work = Home(scen)
    shutil.rmtree(work.warehouse_dir, ignore_errors=True)
    work.warehouse_dir.mkdir(parents=True, exist_ok=True)
    with connection(h.published, read_only=True) as pub:
        as_of, rule_version, base_run = pub.execute(
            "select as_of_date::varchar, rule_version, run_id from publication_log "
            "order by published_at desc limit 1").fetchone()
    try:
        publication, failed = _build(h, work, name, changes, as_of, rule_version, base_run, echo)
    finally:  # the warehouse copy holds all the raw data: the published file is the result
        shutil.rmtree(work.warehouse_dir, ignore_errors=True)
        shutil.rmtree(scen / "dbt_target", ignore_errors=True)
    return publication, failed, compare(h.published, publication.path, as_of)


def _build(h: Home, work: Home, name: str, changes: list[Change], as_of: str, rule_version: str, base_run: str,
           echo):
    from .dbt_project import vars_args
    from .publish import publish
    from .runlock import warehouse_lock

    scen = work.root
    # the official warehouse is only read: copied under the run lock, so no run writes it meanwhile
    with warehouse_lock(h, log=echo):
        for f in (h.warehouse, h.warehouse.with_name(h.warehouse.name + ".wal")):
            if f.exists():
                shutil.copy2(f, work.warehouse_dir / f.name)
    with connection(work.warehouse) as con:
        rows = apply_changes(con, changes, rule_version)
        con.execute("create schema if not exists ops")
        con.execute("""create or replace table ops.scenario (
            scenario varchar, change varchar, seed varchar, row_key varchar, column_name varchar,
            official_value varchar, scenario_value varchar, rule_version varchar, as_of_date date,
            base_run_id varchar, created_at timestamp, dbt_tests_failed integer)""")
        created = datetime.now(timezone.utc).replace(tzinfo=None)
        con.executemany("insert into ops.scenario values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null)",
                        [(name, *r, rule_version, as_of, base_run, created) for r in rows])
    # the profile's vars of the scenario's home (its warehouse copy) with the official run's options
    dbt_vars = vars_args(work, {"rule_version": rule_version, "as_of_date": as_of})
    with open(scen / "scenario.log", "w", encoding="utf-8") as log:
        echo(f"rebuilding the index under the changed rules (rule version {rule_version}, as of {as_of})")
        built = _dbt(["run", "--full-refresh", *dbt_vars], scen, log)
        if built.returncode:
            raise Failure(f"scenario {name}: dbt run failed on the warehouse copy (exit {built.returncode}); "
                          f"see {scen / 'scenario.log'}")
        # the data tests, as a night runs them; dbt's unit tests check the SQL on fixtures of their own,
        # which no rulebook change touches (they run in the test suite)
        tested = _dbt(["test", "--exclude-resource-type", "unit_test", *dbt_vars], scen, log)
        failed = len(re.findall(r"^\S*\s*\d+ of \d+ FAIL ", tested.stdout, flags=re.M))
    with connection(work.warehouse) as con:
        con.execute("update ops.scenario set dbt_tests_failed = ?", [failed])
    publication = publish(work.warehouse, scen / "svcindex.duckdb", str(uuid.uuid4()),
                          extra={"scenario": "ops.scenario"})
    return publication, failed


def compare(official: Path, scenario: Path, as_of: str) -> list[tuple]:
    """The as-of month's totals, official against scenario, largest move first."""
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach '{official}' as o (read_only)")
        con.execute(f"attach '{scenario}' as s (read_only)")
        return con.execute("""
            select s.unit_code, s.unit_type, o.total, s.total, round(s.total - o.total, 2) as change, s.unit_name
            from s.unit_scores s join o.unit_scores o using (unit_code, period_type, period, rule_version, as_of_date)
            where s.period_type = 'month' and s.period = strftime(?::date, '%Y-%m')
            order by abs(coalesce(s.total - o.total, 0)) desc, s.unit_code""", [as_of]).fetchall()
    finally:
        con.close()
