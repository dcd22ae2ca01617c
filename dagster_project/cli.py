"""`svcindex`: the command line of the warehouse (typer + rich).

Commands import what they need when they run, so `--help` and a wrong option answer at once.
Errors a person can act on are `user_input.UsageProblem` (exit 2) and `user_input.Failure` (exit 1);
`main` prints them as one or two lines, and any other exception as one line plus where the
traceback is (`--debug` shows it).
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from .user_input import (Failure, UsageProblem, check_criterion, check_month, check_period, check_rule_version,
                     check_unit, nearest, parse_date, parse_nights, require_published)
from .settings import Home, home

DEMO_PROVINCES = ["H44", "H55"]
DEMO_START, DEMO_END = date(2026, 10, 1), date(2026, 10, 31)


def declared_defect_classes() -> tuple[str, ...]:
    """DEFECT_CLASSES as the simulator declares it (simulate/defects.py), read without importing
    the simulator (pandas and DuckDB take seconds to import; `--help` should not wait for them)."""
    tree = ast.parse((Path(__file__).parent / "simulate" / "defects.py").read_text(encoding="utf-8"))
    names: dict[str, tuple[str, ...]] = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if isinstance(target, ast.Name) and isinstance(node.value, ast.Tuple):
            items: list[str] = []
            for elt in node.value.elts:
                if isinstance(elt, ast.Starred) and isinstance(elt.value, ast.Name):
                    items += names.get(elt.value.id, ())
                elif isinstance(elt, ast.Constant):
                    items.append(elt.value)
            names[target.id] = tuple(items)
    return names["DEFECT_CLASSES"]


ENVIRONMENT = """\
[bold]Environment[/bold]

  [cyan]SVCINDEX_HOME[/cyan]            where everything is read and written:
                           landing/ warehouse/ published/ reports/
                           logs/ alerts/ (default ./data)
  [cyan]SVCINDEX_PII_KEY[/cyan]         secret key of the hash that replaces personal
                           data at ingest; unset: a public sample key
                           and one warning (demo only)
  [cyan]SVCINDEX_ALERT_COMMAND[/cyan]   shell command given every failed-run alert
                           as JSON on stdin (besides alerts/alerts.jsonl)
  [cyan]SVCINDEX_DUCKDB_MEMORY[/cyan]   DuckDB memory_limit per connection (5GB)
  [cyan]SVCINDEX_DUCKDB_THREADS[/cyan]  DuckDB threads (default: the CPU count)
  [cyan]SVCINDEX_DBT_THREADS[/cyan]     dbt models and tests built at once (1)
  [cyan]DAGSTER_HOME[/cyan]             the Dagster instance: run history of `ui`
                           (default $SVCINDEX_HOME/dagster)
  [cyan]SVCINDEX_DEBUG[/cyan]           1: same as --debug
  [cyan]NO_COLOR[/cyan]                 no colours on a terminal (none on a pipe)

[bold]Exit codes[/bold]  0 done · 1 failed or cannot be done now (a failed run,
nothing published yet, another run holds the warehouse) · 2 wrong usage
(a malformed value, or one naming nothing that exists: the message lists
what exists)
"""

app = typer.Typer(
    name="svcindex",
    help="The Decision 766 service-index warehouse: simulate extracts, run the nightly job, publish, report.",
    epilog=ENVIRONMENT,
    rich_markup_mode="rich",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)


def out() -> Console:
    """stdout, bound now: a run redirects sys.stdout to its log file and must still show progress."""
    return Console(file=sys.stdout, highlight=False, soft_wrap=True)


def err() -> Console:
    return Console(file=sys.stderr, highlight=False, soft_wrap=True)


# No telemetry (no internet here); Dagster's SQLite event log with its connections kept open
# (event_log_storage.py: a small run stores ~860 events). Versions before 2026-12-03 wrote the
# first part alone, with Dagster's own event log.
EARLIER_DAGSTER_YAML = "telemetry:\n  enabled: false\n"
DAGSTER_YAML = EARLIER_DAGSTER_YAML + """event_log_storage:
  module: dagster_project.event_log_storage
  class: PooledSqliteEventLogStorage
"""


def prepare_environment() -> None:
    """Absolute SVCINDEX_HOME for dbt, a Dagster instance inside it, no telemetry (no internet here)."""
    h = home().ensure()
    os.environ["SVCINDEX_HOME"] = str(h.root)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    dagster_home = Path(os.environ.setdefault("DAGSTER_HOME", str(h.root / "dagster")))
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    # a home's own instance file: written when missing, or upgraded from what earlier versions wrote
    if not config.exists() or config.read_text() == EARLIER_DAGSTER_YAML:
        config.write_text(DAGSTER_YAML)


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", envvar="SVCINDEX_DEBUG",
                                     help="Show the full traceback of an unexpected error (also accepted after "
                                          "the command name).")) -> None:
    prepare_environment()


# -- simulate ------------------------------------------------------------------------------------

@app.command(epilog="Writes exactly the landing contract (shared/spec/extracts.md); same arguments give the same "
                    "bytes.")
def simulate(
    start: str = typer.Option(DEMO_START.isoformat(), help="First extract night, YYYY-MM-DD."),
    end: str = typer.Option(DEMO_END.isoformat(), help="Last extract night, YYYY-MM-DD (inclusive)."),
    scale: float = typer.Option(0.002, help="Volume: 1 = a national month of about 5 million dossiers."),
    seed: int = typer.Option(7, help="Random seed; the same seed gives byte-identical files."),
    provinces: Optional[str] = typer.Option(None, help="Comma-separated province codes, e.g. H44,H55 "
                                                      "(default: all 34 provinces and the ministries)."),
    defects: Optional[str] = typer.Option(
        None, help="Comma-separated defect classes to inject, from: " + ", ".join(declared_defect_classes())
                   + " (what each does: dagster_project/simulate/defects.py)."),
) -> None:
    """Write simulated nightly extracts into $SVCINDEX_HOME/landing."""
    first, last = parse_date(start, "--start"), parse_date(end, "--end")
    if last < first:
        raise UsageProblem(f"--end {last} is before --start {first}")
    if scale <= 0:
        raise UsageProblem(f"--scale {scale}: must be above 0 (0.002 is a small sample, 1 a national month)")
    known = declared_defect_classes()
    chosen = [d.strip() for d in defects.split(",") if d.strip()] if defects else []
    for d in chosen:
        if d not in known:
            close = nearest(d, known)
            raise UsageProblem(f"--defects: unknown defect class {d!r}" + (f" (did you mean {close[0]}?)" if close else "")
                               + f"; known: {', '.join(known)}")
    codes = [p.strip() for p in provinces.split(",") if p.strip()] if provinces else None
    from .simulate import simulate as run_simulator

    landing = home().landing
    with out().status("simulating"):
        try:
            summary = run_simulator(landing, first, last, scale=scale, seed=seed, provinces=codes,
                                    defects=chosen)
        except ValueError as e:  # the simulator checks its arguments before writing anything
            raise UsageProblem(str(e)) from None
    console = out()
    for source, s in sorted(summary.items()):
        console.print(f"{source:16s} " + ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}"
                                                   for k, v in s.items()))
    console.print(f"written to {landing}")


# -- run -----------------------------------------------------------------------------------------

def run_nightly(rule_version: str = "2026", as_of_date: str | None = None, full_refresh: bool = False,
                nights: tuple[str, str] | None = None, log_level: str = "INFO", display=None,
                run_id: str | None = None):
    """Run the nightly job in this process, then, if it published, the month's report. Returns
    the nightly job's result, or `inputs.NothingNew` when the last publication was built from
    exactly these inputs (answered before Dagster or dbt is even imported).

    Ingest covers `nights` when given, else the landed nights the load log does not account for
    yet (new, re-delivered or held back; the last landed night when there are none, e.g. after a
    waiver or a rulebook change), starting no later than the last night before them that every
    source delivered;
    dbt, the gate and publication read the whole warehouse.

    One writer at a time (runlock): a second run stops at once with `WarehouseBusy`. Runs are
    recorded with the code location's origin (runs.execute_with_origin) so the UI lists them.
    Dagster's events go to the Python logger `svcindex.run` when the CLI selects it (progress.py);
    `display` (a progress.RunDisplay) shows them."""
    from .inputs import inputs_fingerprint, nights_every_source_delivered, nights_to_ingest, nothing_new
    from .runlock import warehouse_lock
    from .sources import complete_nights

    h = home()
    landed = complete_nights(h.landing)
    if not landed:
        raise Failure(f"nothing to run: no complete night (no _manifest.json) under {h.landing}.\n"
                      "Deliver extracts there, or write sample ones with `svcindex simulate`.")
    with warehouse_lock(h):  # one writer: a second run stops here at once, before loading anything
        last = nights[1] if nights else landed[-1]
        inputs = inputs_fingerprint(h, last, rule_version, as_of_date, nights)
        # a DuckDB write-ahead log left behind means a killed run: take the full path, which tidies
        killed = h.warehouse.with_name(h.warehouse.name + ".wal").exists()
        if not full_refresh and not killed and (unchanged := nothing_new(h, inputs, (landed[0], last))):
            return unchanged
        if nights:
            first, last = nights
        else:
            pending = nights_to_ingest(h, landed)
            last = pending[-1] if pending else landed[-1]
            # Start at or before the last night but one that every source delivered before `last`:
            # every ingest asset's gate then sees a night of loaded rows even when the new night's
            # only file is rejected and waived, or a source did not deliver the new night at all
            # (re-gating one loaded night costs a checksum per file, not a reload).
            whole = [n for n in nights_every_source_delivered(h.landing) if n < last]
            first = min(pending[0] if pending else last, whole[-1] if whole else landed[0])
        count = sum(first <= n <= last for n in landed)
        if display is not None:
            display.status(f"loading the pipeline's definitions ({count} night(s) to ingest, {first} → {last})")
        return _execute_nightly(h, rule_version, as_of_date, full_refresh, (first, last), inputs, display, run_id)


def _execute_nightly(h, rule_version, as_of_date, full_refresh, nights, inputs, display, run_id):
    import dagster as dg

    from .assets.ingest import RAW_TABLES
    from .assets.transform import dbt_models
    from .alerts import alert_failed_run
    from .inputs import INPUTS_TAG
    from .progress import RUN_LOGGER_CONFIG
    from .runlock import exclusive_run
    from .runs import execute_with_origin

    first, last = nights
    loggers = RUN_LOGGER_CONFIG if display is not None else {}
    instance = dg.DagsterInstance.get()
    lock_tags = exclusive_run(h, instance)  # tidies after a killed run
    if display is not None:
        display.plan(list(RAW_TABLES), len(dbt_models.keys), len(dbt_models.check_keys))
        display.status(f"planning the run: ingest {first} → {last}")
    config = {"rule_version": rule_version, "as_of_date": as_of_date, "full_refresh": full_refresh}
    result = execute_with_origin(
        "nightly", instance=instance, run_id=run_id,
        run_config={"ops": {"dbt_models": {"config": config}}, **loggers},
        tags={"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last,
              INPUTS_TAG: inputs, **lock_tags},
    )
    if not result.success:  # the job's failure hook alerts step failures; this catches the rest
        alert_failed_run(result.run_id, "nightly", f"{first}..{last}", "the nightly run failed", h.alerts)
        return result
    month = published_month(h.published)
    report = execute_with_origin("monthly_report_job", instance=instance, partition_key=f"{month}-01",
                                 tags=lock_tags, run_config=loggers)
    if not report.success:
        alert_failed_run(report.run_id, "monthly_report_job", f"{month}-01", "the report run failed", h.alerts)
        raise Failure(f"the nightly run published, but the report run {report.run_id} for {month} failed; "
                      "see the run log or the Dagster UI (`svcindex ui`)")
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


def quality_warnings(run_id: str) -> list[str]:
    """The run's non-blocking findings, short: 'asset column' (or expectation)."""
    from .warehouse import connection

    with connection(home().warehouse, read_only=True) as con:
        rows = con.execute("""select distinct asset, coalesce(column_name, expectation) from ops.quality_results
                              where run_id = ? and not success and severity = 'warning' order by 1, 2""",
                           [run_id]).fetchall()
    return [f"{asset} {what}" for asset, what in rows]


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
                where period_type = 'month' and period = ? and as_of_date = ?),
            ordered as (
                select *, row_number() over (partition by ranked_block order by total desc, unit_code) as best,
                          row_number() over (partition by ranked_block order by total, unit_code) as worst
                from month)
            select ranked_block, case when best <= ? then 'best' else 'worst' end as side,
                   unit_code, unit_type, total, band, unit_name
            from ordered where best <= ? or worst <= ?
            order by ranked_block desc, total desc, unit_code""", [period, as_of, n, n, n]).fetchall()
    lines = [f"Scoreboard {period} (as of {as_of})"]
    for block, title in ((True, "Ministries and provinces"), (False, "Departments, districts and communes")):
        lines.append(f"\n{title}:")
        lines += [f"  {side:5s} {code:10s} {utype:6s} {total:6.2f}  {band:10s} {name}"
                  for ranked, side, code, utype, total, band, name in rows if ranked == block]
    return "\n".join(lines)


def _quiet_libraries() -> None:
    from .progress import quiet_imports

    quiet_imports()


def _run_with_display(console: Console, rule_version: str, as_of: str | None, full_refresh: bool,
                      nights: tuple[str, str] | None, log_level: str, announce: bool = True) -> tuple[int, Path]:
    """The nightly job under the stage display, then its outcome. Returns (exit code, log file)."""
    import duckdb

    from .progress import RunDisplay, displayed, run_log
    from .settings import pii_key

    h = home()
    os.environ.setdefault("DBT_USE_COLORS", "false")  # dbt's lines go to the log file: no ANSI codes there
    run_id = str(uuid.uuid4())
    log_path = h.root / "logs" / f"{run_id}.log"
    if pii_key()[1]:
        console.print("[yellow]![/yellow] SVCINDEX_PII_KEY is not set: personal data is pseudonymised with the "
                      "public sample key (demo only)")
    from .sources import complete_nights

    landed = complete_nights(h.landing)
    first, last = nights or (landed[0], landed[-1])
    count = sum(first <= n <= last for n in landed)
    if announce:
        console.print(f"Run {run_id[:8]}: {count} night(s) landed, {first} → {last}")
    display = RunDisplay(console)
    started = time.monotonic()
    with run_log(log_path, level=log_level), displayed(display):
        display.status("comparing the inputs with the last publication")
        try:
            result = run_nightly(rule_version, as_of, full_refresh, nights, display=display, run_id=run_id)
        except Exception as e:
            e.run_log = log_path  # main() names the log beside the error
            raise
    if not hasattr(result, "all_events"):  # inputs.NothingNew: nothing run, the published file keeps its bytes
        console.print(str(result))
        return 0, log_path
    seconds = time.monotonic() - started
    if result.success:
        console.print(f"[green]Published[/green] {h.published}  ({seconds:.0f} s)")
        warnings = quality_warnings(result.run_id)
        if warnings:
            console.print(f"{len(warnings)} quality warning(s), not blocking: {', '.join(warnings[:4])}"
                          + (", …" if len(warnings) > 4 else "") + " (table quality_results)")
        gaps = sync_gap_line(h.published)
        if gaps:
            console.print(gaps)
        return_code = 0
    else:
        console.print(f"[bold red]Run {result.run_id} failed[/bold red]: nothing was published; "
                      f"{h.published} is unchanged.")
        said = set()
        for event in result.all_events:
            if event.is_step_failure:
                error = event.event_specific_data.error
                while error.cause is not None:  # Dagster wraps the step's own exception: say that one
                    error = error.cause
                message = error.message.strip()
                if "Could not set lock" in message:
                    message = ("another process holds the warehouse (a second `svcindex run`, or a run in the "
                               "Dagster UI); wait for it to finish and run again")
                # a message written for people (a hold-back names the file and both ways out) is
                # shown whole, up to 8 lines; a library's long error only by its first lines
                lines = [line[:300] for line in message.splitlines() if line.strip()][:8]
                if lines and lines[0] not in said:
                    said.add(lines[0])
                    console.print(f"  step {event.step_key}: {lines[0]}")
                    for line in lines[1:]:
                        console.print(f"    {line.strip()}")
        try:
            blocking = [w.strip() for w in gate_findings(result.run_id).splitlines() if "[blocking]" in w]
        except duckdb.Error:  # the warehouse itself could not be opened: the step lines say why
            blocking = []
        for w in blocking[:5]:
            console.print(f"  {w}")
        if len(blocking) > 5:
            console.print(f"  … and {len(blocking) - 5} more blocking findings")
        return_code = 1
    return return_code, log_path


@app.command(epilog="Shows the stages (ingest per source, dbt, quality gate, publication, report) and a summary; "
                    "every Dagster and dbt line goes to $SVCINDEX_HOME/logs/<run_id>.log.")
def run(
    rule_version: str = typer.Option("2026", help="Rule version of the rulebook seeds to score under "
                                                  "(2026, or VPCP for the Government Office's text variants)."),
    as_of: Optional[str] = typer.Option(None, help="Score as of this date, YYYY-MM-DD (default: the latest "
                                                   "loaded night)."),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Rebuild every incremental dbt model from "
                                                                    "all history instead of the nights' changes."),
    nights: Optional[str] = typer.Option(None, help="FIRST:LAST extract nights to ingest, e.g. "
                                                    "2026-10-01:2026-10-31 (default: every complete night "
                                                    "in landing/)."),
    log_level: str = typer.Option("DEBUG", help="Lowest level written to the run's log file "
                                                "(DEBUG, INFO, WARNING, ERROR); DEBUG keeps every Dagster event.",
                                  case_sensitive=False),
) -> None:
    """Run the nightly job (ingest, dbt, gate, publish, report) on whatever is in landing/."""
    options = _run_options(rule_version, as_of, nights, log_level)
    console = out()
    _after_run(console, *_run_with_display(console, *options[:2], full_refresh, *options[2:]))


def _run_options(rule_version, as_of, nights, log_level):
    from .sources import complete_nights

    if log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise UsageProblem(f"--log-level {log_level!r}: use DEBUG, INFO, WARNING or ERROR")
    check_rule_version(rule_version)
    if as_of is not None:
        as_of = parse_date(as_of, "--as-of").isoformat()
    landing = home().landing
    landed = complete_nights(landing)
    span = parse_nights(nights, landed) if nights else None
    if not landed:
        raise Failure(f"nothing to run: no complete night (no _manifest.json) under {landing}.\n"
                      "Deliver extracts there, or write sample ones with `svcindex simulate`.")
    return rule_version, as_of, span, log_level.upper()


def _after_run(console: Console, code: int, log_path: Path) -> None:
    """The scoreboard and the report's paths after a publication; the log's path always."""
    h = home()
    if code == 0:
        # one screen: the scoreboard without its blank separator lines
        console.print("\n".join(line for line in scoreboard(h.published).splitlines() if line.strip()))
        for p in report_paths(published_month(h.published)):
            console.print(f"Report:    {p}")
    console.print(f"Full log:  {log_path}")
    if code:
        raise typer.Exit(code)


def report_paths(month: str) -> list[Path]:
    folder = home().reports / month
    return sorted(p for p in folder.glob(f"*-{month}.*") if p.suffix in (".pdf", ".xlsx"))


# -- demo ----------------------------------------------------------------------------------------

@app.command(epilog="Writes into $SVCINDEX_HOME (default ./data); `make demo` runs this after setting up .venv.")
def demo(scale: float = typer.Option(0.01, help="Volume: 0.01 is about 2,400 dossiers a month for the two "
                                                "provinces; 1 a national month."),
         ) -> None:
    """Simulate the built-in sample (Phú Thọ H44, Thái Nguyên H55, October 2026), run it, show the scoreboard."""
    if scale <= 0:
        raise UsageProblem(f"--scale {scale}: must be above 0")
    console = out()
    h = home()
    console.print(f"svcindex demo: {', '.join(DEMO_PROVINCES)}, nights {DEMO_START} → {DEMO_END}, scale {scale}, "
                  f"into {h.root}")
    started = time.monotonic()
    with console.status("simulating the sample extracts"):
        from .simulate import simulate as run_simulator

        summary = run_simulator(h.landing, DEMO_START, DEMO_END, scale=scale, seed=7, provinces=DEMO_PROVINCES)
    lines = sum(s.get("rows", 0) for s in summary.values())
    console.print(f"[green]✓[/green] {'simulate':13s} {len(summary)} sources, {lines:,} lines  "
                  f"[dim]{time.monotonic() - started:.0f} s[/dim]")
    options = _run_options("2026", None, None, "DEBUG")
    # the header above already names the nights
    _after_run(console, *_run_with_display(console, options[0], None, False, None, "DEBUG", announce=False))


# -- ui, report, explain, docs, sql ----------------------------------------------------------------

@app.command(epilog="Stop it with Ctrl-C. Runs started there are recorded in $DAGSTER_HOME like the CLI's.")
def ui(port: int = typer.Option(3000, min=1, max=65535, help="Port on 127.0.0.1.")) -> None:
    """Start the Dagster UI (dagster dev) on 127.0.0.1."""
    cmd = [str(Path(sys.executable).parent / "dagster"), "dev", "-m", "dagster_project.definitions",
           "-h", "127.0.0.1", "-p", str(port)]
    from .quality.docs_server import DEFAULT_PORT, serve_in_background

    serve_in_background(home().quality / "data_docs", DEFAULT_PORT)  # the asset checks link their pages here
    out().print(f"Starting the Dagster UI: http://127.0.0.1:{port}  (Ctrl-C stops it); "
                f"Data Docs: http://127.0.0.1:{DEFAULT_PORT}/")
    # dagster-dbt prepares the dbt project under `dagster dev` and looks for dbt on PATH
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    raise typer.Exit(subprocess.call(cmd, env={**os.environ, "PATH": path}))


def sync_gap_line(published: Path) -> str | None:
    """One summary line of the published sync gaps and early warning (issue 15), when the file has them."""
    from .warehouse import connection

    with connection(published, read_only=True) as con:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        if not {"sync_gaps", "sync_gap_summary", "at_risk_dossiers"} <= tables:
            return None
        gaps, over, share = con.execute("""select (select count(*) from sync_gaps), count(*) filter (where above_warn_share),
                                                  max(warn_share) from sync_gap_summary""").fetchone()
        at_risk = con.execute("select count(*) from at_risk_dossiers").fetchone()[0]
    line = f"Sync gaps: {gaps:,} dossier(s) not on the portal after the rulebook's working days (table sync_gaps)"
    if over:
        line += f"; {over} unit(s) above {share:.0%}, warned by the sync_gaps check"
    return line + f"\nAt risk: {at_risk:,} open dossier(s) due within the next working days (tables at_risk_dossiers, points_at_stake)"


@app.command(epilog="Reads the published file only; writes $SVCINDEX_HOME/reports/<month>/.")
def report(
    month: Optional[str] = typer.Option(None, help="The month, YYYY-MM; must be published (the error lists those "
                                                   "that are). With --unit it defaults to the latest published month."),
    unit: Optional[str] = typer.Option(None, help="Scope to one unit and the units under it, e.g. H44 or H44.07; "
                                                  "adds its improvement page (points at stake, at-risk dossiers, "
                                                  "sync gaps)."),
    rule_version: Optional[str] = typer.Option(None, help="Rule version to report (default: the one published "
                                                          "last for the month)."),
) -> None:
    """Write the monthly report (Vietnamese xlsx and pdf) from the published file."""
    from .warehouse import connection

    if month is None and unit is None:
        raise UsageProblem("Missing option '--month' (without it, --unit reports the latest published month). "
                           "See svcindex report --help")
    h = home()
    require_published(h.published)
    with connection(h.published, read_only=True) as con:
        if month is None:
            month = con.execute("select max(period) from unit_scores where period_type = 'month'").fetchone()[0]
        check_month(con, month)
        if unit is not None:
            check_unit(con, unit, month)
        if rule_version is not None:
            versions = [r[0] for r in con.execute("select distinct rule_version from unit_scores where period = ?",
                                                  [month]).fetchall()]
            if rule_version not in versions:
                raise UsageProblem(f"--rule-version {rule_version!r}: {month} is published under "
                                   f"{', '.join(sorted(versions))} only")
    from .reports import build_monthly_report
    from .reports.config import load_report_config

    with out().status(f"writing the report for {month}"):
        paths = build_monthly_report(h.published, month, h.reports, unit=unit, rule_version=rule_version,
                                     config=load_report_config(h.root))
    for kind, p in paths.items():
        out().print(f"{kind}: {p}")


@app.command(epilog="Reads the published file only. Periods: 2026-10, 2026-Q4, 2026-H2, 2026, 2026-YTD.")
def explain(
    unit: str = typer.Option(..., help="Unit code, e.g. H44 or H44.07."),
    period: str = typer.Option(..., help="Period: YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY or YYYY-YTD."),
    criterion: Optional[str] = typer.Option(None, help="Criterion code of the rulebook, e.g. TDGQ.1 "
                                                       "(not with --what-if)."),
    what_if: bool = typer.Option(False, "--what-if", help="List the unit's at-risk dossiers and the points each "
                                                          "criterion keeps if they finish on time."),
    limit: int = typer.Option(20, min=0, help="How many dossiers to list."),
    rule_version: Optional[str] = typer.Option(None, help="Rule version (default: the latest published)."),
) -> None:
    """Numerator, denominator, points and the dossiers behind one criterion of one unit; with
    --what-if, what the unit gains by finishing its at-risk dossiers on time."""
    from .explain import explain as explain_score, what_if as explain_what_if
    from .warehouse import connection

    if what_if == (criterion is not None):
        raise UsageProblem("give either --criterion (why a score is what it is) or --what-if (what the unit can "
                           "still gain), not both and not neither")
    h = home()
    require_published(h.published)
    with connection(h.published, read_only=True) as con:
        check_period(con, period)
        if criterion is not None:
            check_criterion(con, criterion)
        check_unit(con, unit, period)
    try:
        text = (explain_what_if(h.published, unit, period, limit) if what_if
                else explain_score(h.published, unit, period, criterion, limit, rule_version))
    except SystemExit as e:  # explain() stops on a score that is not there; a person's wrong input
        raise UsageProblem(str(e.code)) from None
    out().print(text)


@app.command(epilog="Never touches the official warehouse or publication. Examples: --set TDGQ.1.max_points=25, "
                    "--set MDHL.1.handling_working_days=10, --set CKMB.1.n_working_days@TINH=3, --set band.Tốt=85; "
                    "--overlay my/rulebook_criteria.csv (a CSV named after a rulebook seed: its key columns and "
                    "the columns to change). Query the result with `svcindex sql --scenario NAME`.")
def scenario(
    name: str = typer.Argument(..., help="Scenario name (a folder name): published to "
                                         "$SVCINDEX_HOME/scenarios/NAME/svcindex.duckdb."),
    set_: Optional[list[str]] = typer.Option(None, "--set", help="CODE.column=value; repeat for several changes."),
    overlay: Optional[Path] = typer.Option(None, help="Overlay CSV file (or folder of them) shaped like a rulebook "
                                                      "seed."),
    show: int = typer.Option(10, min=0, help="How many units to list, largest change first."),
) -> None:
    """Recompute the published index under changed rulebook values and publish it as a named scenario."""
    from .scenario import parse_set, read_overlay, run_scenario

    changes = [c for text in (set_ or []) for c in parse_set(text)]
    if overlay is not None:
        if not overlay.exists():
            raise UsageProblem(f"--overlay {overlay}: no such file or folder")
        changes += read_overlay(overlay)
    if not changes:
        raise UsageProblem("nothing to change: give --set CODE.column=value or --overlay FILE")
    console = out()
    with console.status(f"scenario {name}: copying the warehouse and rebuilding"):
        publication, failed, rows = run_scenario(name, changes, echo=lambda m: console.print(m))
    console.print(f"[green]Published scenario[/green] {name}: {publication.path}  (as of {publication.as_of_date}, "
                  f"rule version {publication.rule_version}; the official publication is unchanged)")
    if failed:
        console.print(f"{failed} dbt test(s) fail under the changed rules (not blocking for a scenario); "
                      f"see {publication.path.parent / 'scenario.log'}")
    console.print(f"{'unit':10s} {'type':6s} {'official':>9s} {'scenario':>9s} {'change':>7s}")
    def fmt(value, spec: str) -> str:  # an unrated unit has no total
        return format(value, spec) if value is not None else "-".rjust(len(format(0.0, spec)))

    for code, utype, official, changed, change, uname in rows[:show]:
        console.print(f"{code:10s} {utype:6s} {fmt(official, '9.2f')} {fmt(changed, '9.2f')} "
                      f"{fmt(change, '+7.2f')}  {uname}")


@app.command(epilog="dbt writes the site to $SVCINDEX_HOME/dbt_docs. Stop the server with Ctrl-C.")
def docs(port: int = typer.Option(8080, min=1, max=65535, help="Port on 127.0.0.1."),
         generate_only: bool = typer.Option(False, "--generate-only", help="Write the site, do not serve it."),
         ) -> None:
    """Generate and serve the dbt docs of every model and column on 127.0.0.1."""
    from .dbt_project import vars_args
    from .settings import DBT_EXECUTABLE, DBT_PROJECT_DIR

    dbt = str(DBT_EXECUTABLE)
    h = home()
    target = h.root / "dbt_docs"
    common = ["--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target), *vars_args(h)]
    rc = subprocess.call([dbt, "docs", "generate", *common, "--quiet"], cwd=DBT_PROJECT_DIR)
    if rc:
        raise Failure(f"dbt docs generate failed (exit {rc}); the lines above say why")
    if generate_only:
        out().print(f"dbt docs written to {target}")
        return
    out().print(f"Serving dbt docs on http://127.0.0.1:{port}  (Ctrl-C stops it)")
    raise typer.Exit(subprocess.call([dbt, "docs", "serve", *common, "--host", "127.0.0.1", "--port", str(port),
                                      "--no-browser"], cwd=DBT_PROJECT_DIR))


@app.command(epilog='Example: svcindex sql "select * from unit_scores limit 5". Tables: see the README or '
                    '`svcindex sql "show tables"`.')
def sql(query: Optional[str] = typer.Argument(None, help="SQL statements separated by ';' (read from stdin "
                                                         "when omitted)."),
        max_rows: int = typer.Option(40, min=1, help="Rows shown per statement."),
        scenario: Optional[str] = typer.Option(None, help="Query the published scenario NAME instead "
                                                          "(`svcindex scenario`)."),
        ) -> None:
    """Query the published file read-only (a stand-in for the DuckDB 2.x CLI)."""
    import duckdb

    h = home()
    published = h.published
    if scenario is not None:
        from .scenario import scenario_dir

        published = scenario_dir(h, scenario) / "svcindex.duckdb"
        if not published.exists():
            made = sorted(p.parent.name for p in (h.root / "scenarios").glob("*/svcindex.duckdb"))
            raise UsageProblem(f"--scenario {scenario!r}: not published; published scenarios: "
                               f"{', '.join(made) or 'none (svcindex scenario NAME --set ...)'}")
    require_published(published)
    text = query if query is not None else ("" if sys.stdin.isatty() else sys.stdin.read())
    statements = [s.strip() for s in text.split(";") if s.strip()]
    if not statements:
        raise UsageProblem('no SQL given: pass it as an argument (svcindex sql "select ...") or on stdin')
    with duckdb.connect(str(published), read_only=True) as con:
        for statement in statements:
            try:
                con.sql(statement).show(max_rows=max_rows, max_width=200)
            except duckdb.Error as e:
                tables = [r[0] for r in con.execute("select table_name from information_schema.tables "
                                                    "order by 1").fetchall()]
                said = [line.strip() for line in str(e).strip().splitlines() if line.strip()]
                hint = next((line for line in said[1:] if line.startswith("Did you mean")), "")
                where = f" (in statement {statements.index(statement) + 1})" if len(statements) > 1 else ""
                raise Failure(f"{said[0]}{where} {hint}".rstrip() + f"\ntables: {', '.join(tables)}") from None


# -- waive, datadocs -----------------------------------------------------------------------------

@app.command(epilog="Recorded in ops.waivers; the next `svcindex run` publishes the night and shows the waiver in "
                    "publication_log, the published `waivers` table and the report's quality annex.")
def waive(
    source: str = typer.Option(..., help="Source whose rejected file(s) to accept as missing, e.g. dvcqg_hoso."),
    night: str = typer.Option(..., help="The extract night, YYYY-MM-DD."),
    reason: str = typer.Option(..., help="Why the night may be published without the file (kept for audit)."),
    by: Optional[str] = typer.Option(None, help="Who waives (default: the OS user)."),
) -> None:
    """Publish a night without its rejected file(s): records who, when and why."""
    night = parse_date(night, "--night").isoformat()
    code = waive_command(home(), source, night, reason, by)
    if code:
        raise typer.Exit(code)


def waive_command(h: Home, source: str, night: str, reason: str, by: str | None = None) -> int:
    """`svcindex waive`: record the waiver under the run lock (no run may be writing meanwhile)."""
    from .runlock import WarehouseBusy, warehouse_lock
    from .waivers import WaiverRefused, waive

    try:
        with warehouse_lock(h):
            w = waive(h, source, night, reason, by)
    except WarehouseBusy as e:  # the state, not the command, is wrong: exit 1
        print(e, file=sys.stderr)
        return 1
    except WaiverRefused as e:  # nothing of S on D to waive, or no reason: change the command
        print(e, file=sys.stderr)
        return 2
    files = ", ".join(f for f, _ in w.files)
    print(f"waived {w.source} {w.night} by {w.waived_by} at {w.waived_at:%Y-%m-%d %H:%M:%S} UTC: {w.reason}\n"
          f"  rejected file(s) accepted as missing: {files}\n"
          "  the next `svcindex run` publishes the night and records the waiver in publication_log, "
          "the published `waivers` table and the report's quality annex")
    return 0


@app.command(epilog="`svcindex ui` starts it too; the asset checks link their pages on this server.")
def datadocs(port: int = typer.Option(8081, min=1, max=65535, help="Port on 127.0.0.1.")) -> None:
    """Serve the Great Expectations Data Docs (every suite, every run), styled offline, on 127.0.0.1."""
    from .quality.docs_server import make_server

    docs_dir = home().quality / "data_docs"
    server = make_server(docs_dir, port)
    out().print(f"Serving the Data Docs of {docs_dir} on http://127.0.0.1:{port}/  (Ctrl-C stops it)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


# -- entry point ---------------------------------------------------------------------------------

def _people_errors() -> tuple[type[BaseException], ...]:
    """Exceptions whose message is written for people: shown as is, exit 1."""
    classes: list[type[BaseException]] = [Failure]
    try:  # issue 9b's run lock (one writer at a time)
        from .runlock import WarehouseBusy  # type: ignore[import-not-found]
        classes.append(WarehouseBusy)
    except ImportError:
        pass
    if "dagster_project.reports.data" in sys.modules:
        from .reports.data import ReportInputError
        classes.append(ReportInputError)
    return tuple(classes)


def main(argv: list[str] | None = None) -> int:
    """`svcindex`; returns the exit code (0 done, 1 failed, 2 wrong usage)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("SVCINDEX_DEBUG", "") not in ("", "0", "false")
    args = [a for a in args if a != "--debug"]
    group = typer.main.get_command(app)
    command = next((a for a in args if not a.startswith("-")), "")
    where = f"svcindex {command}" if command in getattr(group, "commands", {}) else "svcindex"
    console = err()
    if "--help" not in args and "-h" not in args:
        _quiet_libraries()
    try:
        result = group.main(args=args, prog_name="svcindex", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except typer.Exit as e:
        return e.exit_code
    except typer.TyperException as e:  # typer's (vendored click's) usage errors: unknown option, bad value
        if debug:
            raise
        message = e.format_message()
        if message.startswith("No such command"):
            message += f" Commands: {', '.join(getattr(group, 'commands', {}))}."
        console.print(f"{where}: {message}")
        ctx = getattr(e, "ctx", None)
        console.print(f"Try '{ctx.command_path if ctx else where} --help'.")
        return getattr(e, "exit_code", 2)
    except typer.Abort:
        console.print(f"{where}: interrupted")
        return 130
    except UsageProblem as e:
        if debug:
            raise
        console.print(f"{where}: {e}")
        return 2
    except KeyboardInterrupt:
        console.print(f"{where}: interrupted")
        return 130
    except SystemExit as e:  # library code that stops with a sentence
        if isinstance(e.code, str):
            console.print(f"{where}: {e.code}")
            return 1
        return e.code or 0
    except Exception as e:
        if debug:
            raise
        log = getattr(e, "run_log", None)
        if isinstance(e, _people_errors()):
            console.print(f"{where}: {e}")
            if log:
                console.print(f"Full log: {log}")
            return 1
        console.print(f"{where}: unexpected error: {type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}")
        console.print("Run again with --debug for the traceback" + (f"; full log: {log}" if log else "."))
        return 1


if __name__ == "__main__":
    sys.exit(main())
