"""`svcindex`: the command line of the warehouse.

simulate  write sample extracts into $SVCINDEX_HOME/landing
run       the nightly job, in process, on whatever is in landing/ (recorded in the Dagster instance)
demo      simulate the built-in sample, run, and print the scoreboard
ui        the Dagster UI on 127.0.0.1
report    the monthly report from the published file
explain   why a unit scored what it did on a criterion, down to the dossiers
docs      generate and serve the dbt docs of every model and column
sql       query the published file read-only
screenshots  the README's pictures of the asset graph and the report
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from .settings import home

DEMO_PROVINCES = ["H44", "H55"]
DEMO_START, DEMO_END = date(2026, 10, 1), date(2026, 10, 31)


def prepare_environment() -> None:
    """Absolute SVCINDEX_HOME for dbt, a Dagster instance inside it, no telemetry (no internet here)."""
    h = home().ensure()
    os.environ["SVCINDEX_HOME"] = str(h.root)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    dagster_home = Path(os.environ.setdefault("DAGSTER_HOME", str(h.root / "dagster")))
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n")


def cmd_simulate(args) -> int:
    from .simulate import simulate

    summary = simulate(home().landing, args.start, args.end, scale=args.scale, seed=args.seed,
                       provinces=args.provinces or None, defects=args.defects or ())
    for source, s in sorted(summary.items()):
        print(f"{source:16s} {s}")
    return 0


def run_nightly(rule_version: str = "2026", as_of_date: str | None = None, full_refresh: bool = False,
                nights: tuple[str, str] | None = None, log_level: str = "INFO"):
    """Run the nightly job in this process over `nights` (default: every complete night in
    landing/), then, if it published, the month's report. Returns the nightly job's result."""
    from .ops import alert_failed_run, complete_nights
    from .runlock import exclusive_run, warehouse_lock
    from .runs import execute_with_origin

    landed = complete_nights(home().landing)
    if not landed:
        raise SystemExit(f"nothing to run: no complete night (no _manifest.json) under {home().landing}")
    first, last = nights or (landed[0], landed[-1])
    config = {"rule_version": rule_version, "as_of_date": as_of_date, "full_refresh": full_refresh}
    with warehouse_lock(home()):  # one writer: a second run stops here at once, before loading anything
        import dagster as dg

        from .inputs import INPUTS_TAG, inputs_fingerprint, nothing_new

        instance = dg.DagsterInstance.get()
        lock_tags = exclusive_run(home(), instance)  # tidies after a killed run
        inputs = inputs_fingerprint(home(), (first, last), rule_version, as_of_date)
        if not full_refresh and (unchanged := nothing_new(home(), inputs, (first, last))):
            return unchanged
        # recorded with the code location's origin, so the UI lists it like a run it launched
        result = execute_with_origin(
            "nightly", instance=instance,
            run_config={"ops": {"dbt_models": {"config": config}}, "loggers": {"console": {"config": {"log_level": log_level}}}},
            tags={"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last,
                  INPUTS_TAG: inputs, **lock_tags},
        )
        if not result.success:  # the job's failure hook alerts step failures; this catches the rest
            alert_failed_run(result.run_id, "nightly", f"{first}..{last}", "the nightly run failed")
            return result
        month = published_month(home().published)
        report = execute_with_origin(
            "monthly_report_job", instance=instance, partition_key=f"{month}-01", tags=lock_tags,
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}})
        if not report.success:
            alert_failed_run(report.run_id, "monthly_report_job", f"{month}-01", "the report run failed")
            raise RuntimeError(f"the report run {report.run_id} for {month} failed; see the Dagster UI")
    return result


def published_month(published: Path) -> str:
    from .warehouse import connection

    with connection(published, read_only=True) as con:
        return con.execute("select strftime(max(as_of_date), '%Y-%m') from unit_scores").fetchone()[0]


def gate_findings(run_id: str) -> str:
    from .warehouse import connection

    h = home()
    if not h.warehouse.exists():
        return "no warehouse"
    with connection(h.warehouse, read_only=True) as con:
        rows = con.execute("""select asset, suite, expectation, coalesce(column_name, ''), severity, observed
                              from ops.quality_results where run_id = ? and not success
                              order by severity, asset""", [run_id]).fetchall()
    return "\n".join(f"  [{sev}] {asset}: {suite}.{exp}({col}) observed {obs}" for asset, suite, exp, col, sev, obs in rows)


def cmd_run(args) -> int:
    from .runlock import WarehouseBusy

    try:
        result = run_nightly(args.rule_version, args.as_of, args.full_refresh, args.nights, args.log_level)
    except WarehouseBusy as busy:
        print(busy, file=sys.stderr)
        return 2
    h = home()
    if not hasattr(result, "all_events"):  # inputs.NothingNew
        print(result)
        return 0
    if result.success:
        print(f"run {result.run_id}: published {h.published}")
        warnings = gate_findings(result.run_id)
        if warnings:
            print("Quality warnings (reported, not blocking):\n" + warnings)
        return 0
    print(f"run {result.run_id} FAILED: nothing was published; {h.published} is unchanged.", file=sys.stderr)
    for event in result.all_events:
        if event.is_step_failure:
            print(f"  step {event.step_key} failed: {event.event_specific_data.error.message.strip()[:500]}",
                  file=sys.stderr)
    why = gate_findings(result.run_id)
    if why:
        print("Quality gate failures and warnings:\n" + why, file=sys.stderr)
    return 1


def scoreboard(published: Path, n: int = 3) -> str:
    """The latest month: its best and worst n units among the ranked blocks (ministries,
    provinces) and among the units inside them, with total and band."""
    from .warehouse import connection

    with connection(published, read_only=True) as con:
        period, as_of = con.execute("""select period, max(as_of_date) from unit_scores where period_type = 'month'
                                       group by period order by period desc limit 1""").fetchone()
        rows = con.execute("""
            with month as (
                select *, unit_type in ('BO', 'TINH') as ranked_block from unit_scores
                where period_type = 'month' and period = ? and as_of_date = ? and rated),
            ordered as (
                select *, row_number() over (partition by ranked_block order by total desc, unit_code) as best,
                          row_number() over (partition by ranked_block order by total, unit_code) as worst
                from month)
            select ranked_block, case when best <= ? then 'best' else 'worst' end as side,
                   unit_code, unit_type, total, band, unit_name
            from ordered where best <= ? or worst <= ?
            order by ranked_block desc, total desc, unit_code""", [period, as_of, n, n, n]).fetchall()
        # rulebook §5a: say when the month is only partly covered, and how many units are unrated
        first, last, complete, unrated = con.execute(
            "select min(coverage_first_night), max(coverage_last_night), bool_and(coverage_complete),"
            " count(*) filter (where not rated) from unit_scores"
            " where period_type = 'month' and period = ? and as_of_date = ?", [period, as_of]).fetchone()
    lines = [f"Scoreboard {period} (as of {as_of})"]
    if not complete:
        lines.append(f"  partly covered: extract nights {first or '—'} to {last or '—'} only; "
                     "not compared with other months")
    if unrated:
        lines.append(f"  {unrated} unit(s) received no dossier and no PAKN: chưa đủ dữ liệu xếp hạng (not rated)")
    for block, title in ((True, "Ministries and provinces"), (False, "Departments, districts and communes")):
        lines.append(f"\n{title}:")
        lines += [f"  {side:5s} {code:10s} {utype:6s} {total:6.2f}  {band:10s} {name}"
                  for ranked, side, code, utype, total, band, name in rows if ranked == block]
    return "\n".join(lines)


def cmd_demo(args) -> int:
    from .simulate import simulate

    h = home()
    print(f"Simulating the built-in sample ({', '.join(DEMO_PROVINCES)}, {DEMO_START} → {DEMO_END}) into {h.landing}")
    simulate(h.landing, DEMO_START, DEMO_END, scale=args.scale, seed=7, provinces=DEMO_PROVINCES)
    rc = cmd_run(argparse.Namespace(rule_version="2026", as_of=None, full_refresh=False, nights=None,
                                   log_level="WARNING"))
    if rc:
        return rc
    print()
    print(scoreboard(h.published))
    print(f"\nPublished warehouse: {h.published}")
    for p in sorted(h.reports.rglob("*")):
        if p.is_file():
            print(f"Report:              {p}")
    return 0


def cmd_waive(args) -> int:
    from .waivers import waive_command

    return waive_command(home(), args.source, args.night, args.reason, args.by)


def cmd_datadocs(args) -> int:
    """Great Expectations' Data Docs (every suite, every run) on http://127.0.0.1:<port>, styled offline."""
    from .quality.docs_server import make_server

    docs = home().quality / "data_docs"
    server = make_server(docs, args.port)
    print(f"Serving the Data Docs of {docs} on http://127.0.0.1:{args.port}/  (Ctrl-C stops it)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def cmd_ui(args) -> int:
    from .quality.docs_server import DEFAULT_PORT, serve_in_background

    # the asset checks link their Data Docs pages on this port
    serve_in_background(home().quality / "data_docs", DEFAULT_PORT)
    print(f"Data Docs: http://127.0.0.1:{DEFAULT_PORT}/")
    cmd = [str(Path(sys.executable).parent / "dagster"), "dev", "-m", "dagster_project.definitions",
           "-h", "127.0.0.1", "-p", str(args.port)]
    print("Starting the Dagster UI: http://127.0.0.1:%d  (Ctrl-C stops it)" % args.port)
    # dagster-dbt prepares the dbt project under `dagster dev` and looks for dbt on PATH
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return subprocess.call(cmd, env={**os.environ, "PATH": path})


def cmd_report(args) -> int:
    from .reports import build_monthly_report

    h = home()
    paths = build_monthly_report(h.published, args.month, h.reports, unit=args.unit, rule_version=args.rule_version)
    for kind, p in paths.items():
        print(f"{kind}: {p}")
    return 0


def cmd_screenshots(args) -> int:
    from .screenshots import take_screenshots

    for p in take_screenshots(args.out, args.port):
        print(f"screenshot: {p} ({p.stat().st_size // 1024} KB)")
    return 0


def cmd_explain(args) -> int:
    from .explain import explain

    print(explain(home().published, args.unit, args.period, args.criterion, args.limit, args.rule_version))
    return 0


def cmd_docs(args) -> int:
    """dbt docs of the warehouse (every model and published column described), served on 127.0.0.1."""
    from .settings import DBT_PROJECT_DIR

    dbt = str(Path(sys.executable).parent / "dbt")
    target = home().root / "dbt_docs"
    common = ["--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target)]
    rc = subprocess.call([dbt, "docs", "generate", *common], cwd=DBT_PROJECT_DIR)
    if rc or args.generate_only:
        print(f"dbt docs written to {target}" if not rc else "dbt docs generate failed")
        return rc
    print(f"Serving dbt docs on http://127.0.0.1:{args.port}  (Ctrl-C stops it)")
    return subprocess.call([dbt, "docs", "serve", *common, "--host", "127.0.0.1", "--port", str(args.port),
                            "--no-browser"], cwd=DBT_PROJECT_DIR)


def cmd_sql(args) -> int:
    """Query the published file read-only: the statement given, or statements read from stdin."""
    import duckdb

    text = args.query or sys.stdin.read()
    with duckdb.connect(str(home().published), read_only=True) as con:
        for statement in (s.strip() for s in text.split(";")):
            if statement:
                con.sql(statement).show(max_rows=args.max_rows, max_width=200)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="svcindex", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("simulate", help="write simulated extracts into $SVCINDEX_HOME/landing")
    p.add_argument("--start", type=date.fromisoformat, default=DEMO_START)
    p.add_argument("--end", type=date.fromisoformat, default=DEMO_END)
    p.add_argument("--scale", type=float, default=0.002, help="1 = a national month of ~5 million dossiers")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--provinces", type=lambda s: s.split(","), default=None, help="e.g. H44,H55 (default: national)")
    p.add_argument("--defects", type=lambda s: s.split(","), default=None, help="defect classes to inject")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("run", help="run the nightly job on whatever is in landing/")
    p.add_argument("--rule-version", default="2026")
    p.add_argument("--as-of", default=None, help="YYYY-MM-DD (default: the latest loaded night)")
    p.add_argument("--full-refresh", action="store_true")
    p.add_argument("--nights", type=lambda s: tuple(s.split(":")), default=None,
                   help="FIRST:LAST extract nights to ingest (default: every complete night in landing/)")
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="simulate the built-in sample, run, print the scoreboard")
    p.add_argument("--scale", type=float, default=0.01, help="0.01: about 2,400 dossiers a month for the two provinces")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("waive", help="publish a night without its rejected file(s): recorded who, when, why")
    p.add_argument("--source", required=True, help="e.g. dvcqg_hoso")
    p.add_argument("--night", required=True, help="the extract night, YYYY-MM-DD")
    p.add_argument("--reason", required=True, help="why the night may be published without the file")
    p.add_argument("--by", default=None, help="who waives (default: the OS user)")
    p.set_defaults(func=cmd_waive)

    p = sub.add_parser("ui", help="start the Dagster UI on 127.0.0.1")
    p.add_argument("--port", type=int, default=3000)
    p.set_defaults(func=cmd_ui)

    p = sub.add_parser("datadocs", help="serve the Great Expectations Data Docs on 127.0.0.1")
    p.add_argument("--port", type=int, default=8081)
    p.set_defaults(func=cmd_datadocs)

    p = sub.add_parser("report", help="write the monthly report from the published file")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--unit", default=None, help="scope to one unit and the units under it, e.g. H44")
    p.add_argument("--rule-version", default=None)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("screenshots", help="the README screenshots: Dagster asset graph and report pages")
    p.add_argument("--out", type=Path, default=Path("docs/img"))
    p.add_argument("--port", type=int, default=3300)
    p.set_defaults(func=cmd_screenshots)

    p = sub.add_parser("explain", help="numerator, denominator, points and the dossiers behind one criterion")
    p.add_argument("--unit", required=True, help="e.g. H44.07")
    p.add_argument("--period", required=True, help="e.g. 2026-10, 2026-Q4, 2026-H2, 2026, 2026-YTD")
    p.add_argument("--criterion", required=True, help="e.g. TDGQ.1")
    p.add_argument("--limit", type=int, default=20, help="how many dossiers to list")
    p.add_argument("--rule-version", default=None)
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("docs", help="generate and serve the dbt docs on 127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--generate-only", action="store_true")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("sql", help="query the published file read-only (a stand-in for the duckdb 2.0 CLI)")
    p.add_argument("query", nargs="?", default=None, help="SQL; read from stdin when omitted")
    p.add_argument("--max-rows", type=int, default=40)
    p.set_defaults(func=cmd_sql)

    args = parser.parse_args(argv)
    prepare_environment()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
