"""What a person sees while `svcindex run` / `demo` work, and the run's full log file.

Dagster's console logger and dbt's node lines are meant for the Dagster UI, not a terminal: a
run of two provinces prints ~340 lines of them. So while the CLI runs the job:

- every Dagster event and log line goes to the Python logger `svcindex.run` (through the Dagster
  @logger `run_logger` below, the only logger the CLI configures, so the console logger is off);
- that logger writes `$SVCINDEX_HOME/logs/<run_id>.log`, together with everything printed on
  stdout/stderr (dagster-dbt re-emits dbt's lines on stdout), Python warnings and the root logger;
- `RunDisplay` reads the same Dagster events (structured, not parsed from text) and keeps a short
  stage display: ingest per source with rows, dbt models n/N, the gate, publication, report.

On a terminal the current stage is a live rich display and each finished stage stays as one
line; elsewhere (a pipe, CI, `make demo | tee`) only the finished-stage lines are printed, with
no ANSI codes.
"""
from __future__ import annotations

import contextlib
import logging
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from rich.console import Console, Group
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

RUN_LOGGER = "svcindex.run"
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


# Dagster is imported only by the code that runs a job (definitions.py wraps this function as the
# `svcindex` logger): a run with nothing new answers without it, in well under a second.
RUN_LOGGER_DESCRIPTION = ("Every Dagster event of the run to the Python logger 'svcindex.run'; the CLI sends it "
                          "to $SVCINDEX_HOME/logs/<run_id>.log and to its progress display.")


def run_logger(init_context) -> logging.Logger:
    logger = logging.getLogger(RUN_LOGGER)
    logger.setLevel(logging.DEBUG)
    return logger


RUN_LOGGER_CONFIG = {"loggers": {"svcindex": {}}}


@contextlib.contextmanager
def run_log(path: Path, level: str = "DEBUG") -> Iterator[Path]:
    """Send everything this process logs, warns or prints while inside the block to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stream = path.open("a", encoding="utf-8", buffering=1)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.setLevel(level)
    root, run = logging.getLogger(), logging.getLogger(RUN_LOGGER)
    saved = (root.level, root.handlers[:], run.propagate)
    root.handlers = [handler]  # the root logger writes to the file only, while the run lasts
    root.setLevel(logging.INFO)
    run.propagate = True
    logging.captureWarnings(True)  # library warnings (Dagster Beta/Preview/Supersession...) -> the file
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
            warnings.simplefilter("default")
            yield path
    finally:
        logging.captureWarnings(False)
        root.setLevel(saved[0])
        root.handlers = saved[1]
        run.propagate = saved[2]
        stream.close()


def quiet_imports() -> None:
    """Outside a run: library warnings at import time (Dagster's Beta/Supersession notes) are not
    the operator's business; they go to the run log when a run is open, nowhere otherwise."""
    warnings.filterwarnings("ignore", module=r"dagster.*")
    warnings.filterwarnings("ignore", category=UserWarning, module=r"dagster.*")
    if "dagster" not in sys.modules:  # importing it costs seconds: "nothing new" must not wait for it
        return
    with contextlib.suppress(ImportError):
        from dagster._utils.warnings import BetaWarning, PreviewWarning, SupersessionWarning

        for category in (BetaWarning, PreviewWarning, SupersessionWarning):
            warnings.filterwarnings("ignore", category=category)


def _n(x) -> str:
    return f"{int(x):,}"


@dataclass
class Source:
    state: str = "waiting"  # waiting, loading, done, failed, skipped
    rows: int = 0
    quarantined: int = 0
    skipped: int = 0  # files already loaded by an earlier run
    counted: bool = False
    gate: bool | str | None = None  # True passed, 'warn' passed with warnings, False failed


@dataclass
class Stage:
    name: str
    state: str = "waiting"  # waiting, running, done, failed, skipped
    started: float | None = None
    ended: float | None = None
    detail: str = ""


@dataclass
class RunDisplay:
    """The stage display of one CLI run, fed with the run's Dagster events."""
    console: Console
    ingest_tables: list[str] = field(default_factory=list)
    dbt_total: int = 0
    dbt_tests: int = 0
    sources: dict[str, Source] = field(default_factory=dict)
    stages: dict[str, Stage] = field(default_factory=dict)
    dbt_done: int = 0
    tests_done: int = 0
    tests_failed: int = 0
    gate_results: dict[str, bool] = field(default_factory=dict)
    note: str = ""
    _live: Live | None = None
    _started: float = field(default_factory=time.monotonic)

    STAGES = (("ingest", "ingest"), ("dbt", "dbt build"), ("gate", "quality gate"), ("publish", "publication"),
              ("report", "report"))

    def __post_init__(self):
        self.plan(self.ingest_tables, self.dbt_total, self.dbt_tests)
        self.stages = {key: Stage(title) for key, title in self.STAGES}

    def plan(self, ingest_tables: list[str], dbt_total: int, dbt_tests: int) -> None:
        """What the run will do: the raw tables to ingest, the dbt models and seeds, the dbt tests."""
        self.ingest_tables, self.dbt_total, self.dbt_tests = list(ingest_tables), dbt_total, dbt_tests
        self.sources = {t: Source() for t in self.ingest_tables}

    @property
    def published_as(self) -> str:
        return self.stages["publish"].detail

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> "RunDisplay":
        if self.console.is_terminal:
            self._live = Live(self._render(), console=self.console, refresh_per_second=8, transient=True,
                              get_renderable=self._render, redirect_stdout=False, redirect_stderr=False)
            self._live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        for key, stage in self.stages.items():
            if stage.state in ("running", "failed") and stage.ended is None:
                self._finish(key, "failed" if exc[0] else "done")
        if self._live:
            self._live.__exit__(*exc)
            self._live = None

    def status(self, note: str) -> None:
        """What the run does before its first event (loading definitions, planning the nights)."""
        self.note = note

    def line(self, text: str | Text) -> None:
        """A line that stays (above the live display on a terminal)."""
        self.console.print(text, highlight=False, soft_wrap=True)

    # -- events ------------------------------------------------------------------------------
    def handle(self, event: dg.DagsterEvent) -> None:
        kind = event.event_type_value
        step = event.step_key or ""
        stage = self._stage_of(step)
        if kind == "STEP_START" and stage:
            self._start(stage)
            if stage == "ingest":
                self.sources[step.removeprefix("raw__")].state = "loading"
        elif kind == "ASSET_MATERIALIZATION":
            self._materialized(stage, event)
        elif kind == "ASSET_CHECK_EVALUATION":
            self._checked(stage, event)
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and stage:
            failed = kind == "STEP_FAILURE"
            if stage == "ingest":
                src = self.sources[step.removeprefix("raw__")]
                src.state = "failed" if failed else "done"
                if all(s.state in ("done", "failed") for s in self.sources.values()):
                    self._finish("ingest", "failed" if any(s.state == "failed" for s in self.sources.values())
                                 else "done")
            elif failed:
                self._finish(stage, "failed")
            elif stage in ("dbt", "publish", "report"):
                self._finish(stage, "done")
        elif kind == "STEP_SKIPPED" and stage:
            if self.stages[stage].state == "waiting":
                self.stages[stage].state = "skipped"
        elif kind in ("RUN_SUCCESS", "RUN_FAILURE", "PIPELINE_SUCCESS", "PIPELINE_FAILURE"):
            for key, st in self.stages.items():
                if st.state in ("running", "failed") and st.ended is None:
                    self._finish(key, "done" if kind.endswith("SUCCESS") else "failed")
        if self._live:
            self._live.refresh()

    @staticmethod
    def _stage_of(step: str) -> str | None:
        if step.startswith("raw__"):
            return "ingest"
        if step == "dbt_models":
            return "dbt"
        if step.endswith("_gate"):
            return "gate"
        if step == "published_warehouse":
            return "publish"
        if step == "monthly_report":
            return "report"
        return None

    def _materialized(self, stage: str | None, event: dg.DagsterEvent) -> None:
        mat = event.event_specific_data.materialization
        meta = {k: getattr(v, "value", v) for k, v in mat.metadata.items()}
        if stage == "ingest":
            table = mat.asset_key.path[-1]
            src = self.sources.get(table)
            # A range run materialises every night of the range. Metadata carrying `batch_files`
            # holds the whole batch's figures, repeated on each night: count them once. Per-night
            # metadata (no `batch_files`) adds up over the nights.
            if src is not None and not ("batch_files" in meta and src.counted):
                src.counted = True
                src.rows += int(meta.get("rows_loaded") or 0)
                src.quarantined += int(meta.get("rows_quarantined") or 0)
                src.skipped += int(meta.get("files_skipped") or 0)
        elif stage == "dbt":
            self.dbt_done += 1
        elif stage == "publish":
            self.stages["publish"].detail = f"as of {meta.get('as_of_date')}, rule version {meta.get('rule_version')}"
        elif stage == "report":
            self.stages["report"].detail = str(meta.get("month", ""))

    def _checked(self, stage: str | None, event: dg.DagsterEvent) -> None:
        evaluation = event.event_specific_data
        # a failed check of severity WARN is a warning (volume outside its band): it does not block
        import dagster as dg

        warned = not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
        passed = bool(evaluation.passed) or warned
        if stage == "ingest":
            table = evaluation.asset_key.path[-1]
            if table in self.sources:
                self.sources[table].gate = "warn" if warned else passed
        elif stage == "dbt":
            self.tests_done += 1
            self.tests_failed += not passed
        elif stage == "gate":
            self._start("gate")
            gate = self.stages["gate"]
            self.gate_results[evaluation.check_name] = passed
            failed = [name for name, ok in self.gate_results.items() if not ok]
            gate.detail = (f"failed: {', '.join(failed)}" if failed
                           else f"{len(self.gate_results)} score suites passed")
            if not passed:
                gate.state = "failed"
            if self.stages["dbt"].state == "running":
                self._finish("dbt", "done")

    # -- stages ------------------------------------------------------------------------------
    def _start(self, key: str) -> None:
        # stages run in order: starting one finishes every stage before it that is still running
        for earlier, _ in self.STAGES:
            if earlier == key:
                break
            if self.stages[earlier].state == "running":
                self._finish(earlier, "done")
        stage = self.stages[key]
        if stage.state == "waiting":
            stage.state, stage.started = "running", time.monotonic()
        self.note = ""

    def _finish(self, key: str, state: str) -> None:
        stage = self.stages[key]
        if stage.state not in ("running", "failed") or stage.ended is not None:
            return
        if stage.state == "failed" or (key == "ingest" and any(
                s.state == "failed" or s.gate is False for s in self.sources.values())):
            state = "failed"
        stage.state, stage.ended = state, time.monotonic()
        self.line(self._stage_line(key))

    def _summary(self, key: str) -> str:
        stage = self.stages[key]
        if key == "ingest":
            done = [t for t, s in self.sources.items() if s.state != "waiting"]
            rows = sum(s.rows for s in self.sources.values())
            quarantined = sum(s.quarantined for s in self.sources.values())
            failed = [t for t, s in self.sources.items() if s.state == "failed" or s.gate is False]
            skipped = sum(s.skipped for s in self.sources.values())
            text = f"{len(done)}/{len(self.sources)} tables, {_n(rows)} rows loaded, {_n(quarantined)} quarantined"
            text += f", {_n(skipped)} files already loaded" if skipped else ""
            warned = [t for t, s in self.sources.items() if s.gate == "warn"]
            text += f"; gate warnings: {', '.join(warned)}" if warned else ""
            return text + (f"; gate failed: {', '.join(failed)}" if failed else "")
        if key == "dbt":
            text = f"{self.dbt_done}/{self.dbt_total} models and seeds, {self.tests_done} tests"
            return text + (f", {self.tests_failed} failed" if self.tests_failed else "")
        return stage.detail

    def _stage_line(self, key: str) -> Text:
        stage = self.stages[key]
        mark, style = {"done": ("✓", "green"), "failed": ("✗", "bold red")}.get(stage.state, ("–", "dim"))
        seconds = (stage.ended or time.monotonic()) - (stage.started or time.monotonic())
        text = Text.assemble((mark, style), f" {stage.name:13s} ", self._summary(key))
        text.append(f"  {seconds:.0f} s", style="dim")
        return text

    def _render(self):
        elapsed = time.monotonic() - self._started
        running = [k for k, s in self.stages.items() if s.state == "running"]
        if not running:
            return Spinner("dots", Text(f"{self.note or 'starting'}  ({elapsed:.0f} s)"))
        key = running[0]
        head = Spinner("dots", Text.assemble((self.stages[key].name, "bold"), "  ", self._summary(key),
                                             (f"  ({elapsed:.0f} s)", "dim")))
        if key != "ingest":
            return head
        table = Table.grid(padding=(0, 2))
        for name, src in self.sources.items():
            state = {"done": "✓", "failed": "✗", "loading": "…"}.get(src.state, " ")
            gate = {True: "gate ✓", "warn": "gate !", False: "gate ✗", None: ""}[src.gate]
            table.add_row(f"  {state} {name}", _n(src.rows) if src.state != "waiting" else "",
                          f"{_n(src.quarantined)} quarantined" if src.quarantined else "", gate)
        return Group(head, table)


class DisplayHandler(logging.Handler):
    """Feeds the Dagster events logged on `svcindex.run` to a RunDisplay."""

    def __init__(self, display: RunDisplay):
        super().__init__(logging.DEBUG)
        self.display = display

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is not None:
            try:
                self.display.handle(event)
            except Exception:  # the display must never break a run; the file has the full story
                logging.getLogger(__name__).exception("progress display")


@contextlib.contextmanager
def displayed(display: RunDisplay) -> Iterator[RunDisplay]:
    handler = DisplayHandler(display)
    logger = logging.getLogger(RUN_LOGGER)
    logger.addHandler(handler)
    try:
        with display:
            yield display
    finally:
        logger.removeHandler(handler)


