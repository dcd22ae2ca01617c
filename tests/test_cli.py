"""`svcindex` as a person meets it: wrong input answered in one or two lines with an exit code,
help that documents every option and environment variable, and a quiet run with its full log."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from dagster_project.cli import declared_defect_classes, main
from dagster_project.user_input import UsageProblem

from conftest import use_home

ANSI = re.compile(r"\x1b\[")


def call(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def assert_short_error(code: int, text: str, expected_code: int, *needles: str) -> None:
    assert code == expected_code, text
    assert "Traceback" not in text and 'File "' not in text, text
    lines = [line for line in text.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 3, text  # one or two lines, plus at most a "Try --help" line
    for needle in needles:
        assert needle in text, f"{needle!r} not in {text!r}"


# (argv, exit code, what the message must name) on the session's published home (October 2026,
# nights 1-3, provinces H44 and H55)
ON_PUBLISHED_HOME = [
    (["report", "--month", "2030-01"], 2, ["2030-01", "Published months: ", "2026-10"]),
    (["report", "--month", "October"], 2, ["'October' is not a month", "YYYY-MM", "2026-10"]),
    (["report", "--month", "2026-10", "--unit", "H99"], 2, ["'H99' is not a published unit code", "nearest:"]),
    (["report", "--month", "2026-10", "--unit", "H4"], 2, ["nearest: H44"]),
    (["report", "--month", "2026-10", "--rule-version", "1999"], 2, ["'1999'", "2026"]),
    (["report"], 2, ["Missing option '--month'", "svcindex report --help"]),
    (["explain", "--unit", "H4", "--period", "2026-10", "--criterion", "TDGQ.1"], 2,
     ["--unit 'H4' is not a published unit code", "H44"]),
    (["explain", "--unit", "H44", "--period", "2026-10", "--criterion", "TDGQ.9"], 2,
     ["--criterion 'TDGQ.9' is not a criterion", "nearest: TDGQ.", "Criteria: ", "TDGQ.1"]),
    (["explain", "--unit", "H44", "--period", "Oct", "--criterion", "TDGQ.1"], 2,
     ["--period 'Oct' is not a period", "2026-Q4", "2026-YTD"]),
    (["explain", "--unit", "H44", "--period", "1999-01", "--criterion", "TDGQ.1"], 2,
     ["--period 1999-01: nothing published for that period", "2026-10"]),
    (["explain", "--unit", "H44", "--period", "2026-10", "--criterion", "TDGQ.1", "--limit", "-1"], 2,
     ["--limit"]),
    (["sql", "selct * from unit_scores"], 1, ["syntax error", "tables: ", "unit_scores"]),
    (["sql", "select * from unit_score"], 1, ["unit_score", "tables: "]),
    (["sql", " ; "], 2, ["no SQL given"]),
    (["run", "--nights", "2026-10"], 2, ["use FIRST:LAST"]),
    (["run", "--nights", "2027-01-01:2027-01-31"], 2, ["no complete night landed", "2026-10-01 → 2026-10-03"]),
    (["run", "--nights", "2026-10-03:2026-10-01"], 2, ["before the first"]),
    (["run", "--rule-version", "2025"], 2, ["'2025' is not in the rulebook", "2026, VPCP"]),
    (["run", "--as-of", "yesterday"], 2, ["--as-of 'yesterday' is not a date", "YYYY-MM-DD"]),
    (["run", "--log-level", "LOUD"], 2, ["DEBUG, INFO, WARNING or ERROR"]),
    (["run", "--bogus"], 2, ["No such option: --bogus"]),
    (["frobnicate"], 2, ["No such command 'frobnicate'", "simulate", "explain"]),
    (["ui", "--port", "0"], 2, ["--port"]),
    (["simulate", "--defects", "bad_dat"], 2, ["unknown defect class 'bad_dat'", "did you mean bad_date", "truncated_gzip"]),
    (["simulate", "--start", "2026-10-05", "--end", "2026-10-01"], 2, ["before --start"]),
    (["simulate", "--start", "October"], 2, ["--start 'October' is not a date"]),
    (["simulate", "--scale", "0"], 2, ["--scale"]),
    (["demo", "--scale", "-1"], 2, ["--scale"]),
]


@pytest.mark.parametrize("argv, expected_code, needles", ON_PUBLISHED_HOME, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_wrong_input_on_a_published_home(pipeline_home, capsys, argv, expected_code, needles):
    use_home(pipeline_home)
    code, text = call(capsys, *argv)
    assert_short_error(code, text, expected_code, *needles)


ON_EMPTY_HOME = [
    (["report", "--month", "2026-10"], ["nothing is published yet", "svcindex run"]),
    (["sql", "select 1"], ["nothing is published yet"]),
    (["explain", "--unit", "H44", "--period", "2026-10", "--criterion", "TDGQ.1"], ["nothing is published yet"]),
    (["run"], ["nothing to run", "svcindex simulate"]),
]


@pytest.fixture
def empty_home(tmp_path):
    saved = {k: os.environ.get(k) for k in ("SVCINDEX_HOME", "DAGSTER_HOME")}
    use_home(tmp_path / "empty")
    yield tmp_path / "empty"
    os.environ.update({k: v for k, v in saved.items() if v is not None})


@pytest.mark.parametrize("argv, needles", ON_EMPTY_HOME, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_wrong_input_on_an_empty_home(empty_home, capsys, argv, needles):
    code, text = call(capsys, *argv)
    assert_short_error(code, text, 1, *needles)


def test_unknown_province_is_named_before_anything_is_written(empty_home, capsys):
    code, text = call(capsys, "simulate", "--provinces", "H44,H99", "--start", "2026-10-01", "--end", "2026-10-01")
    assert_short_error(code, text, 2, "H99", "H44")
    assert not any((empty_home / "landing").iterdir())


def test_debug_shows_the_exception_instead(pipeline_home, capsys):
    use_home(pipeline_home)
    with pytest.raises(UsageProblem, match="not a month"):
        main(["report", "--month", "October", "--debug"])


def test_help_documents_every_option_and_environment_variable(capsys):
    import typer

    from dagster_project.cli import app
    from dagster_project.simulate.defects import DEFECT_CLASSES

    assert declared_defect_classes() == DEFECT_CLASSES
    code, text = call(capsys, "--help")
    assert code == 0
    for variable in ("SVCINDEX_HOME", "SVCINDEX_PII_KEY", "SVCINDEX_ALERT_COMMAND", "SVCINDEX_DUCKDB_MEMORY",
                     "SVCINDEX_DUCKDB_THREADS", "SVCINDEX_DBT_THREADS", "DAGSTER_HOME", "SVCINDEX_DEBUG", "Exit codes"):
        assert variable in text
    group = typer.main.get_command(app)
    assert {"simulate", "run", "demo", "ui", "report", "explain", "docs", "sql"} <= set(group.commands)
    for name, command in group.commands.items():
        assert command.help, f"{name} has no description"
        for param in command.params:
            assert getattr(param, "help", None), f"{name} {param.name} is not described"
        code, text = call(capsys, name, "--help")
        assert code == 0 and "Usage: svcindex " + name in text and not ANSI.search(text)
        for param in command.params:
            assert param.opts[0] in text or param.name.upper() in text
    code, text = call(capsys, "simulate", "--help")
    flat = " ".join(text.split())
    for defect in DEFECT_CLASSES:
        assert defect in flat


def test_run_is_quiet_and_logs_everything_to_its_file(second_run_home):
    """A whole run through the CLI on a copy of the session home (one more night and a corrected
    file: conftest.second_run_home), as a person sees it."""
    code, text = second_run_home.exit_code, second_run_home.output
    assert code == 0, text
    lines = text.splitlines()
    assert not ANSI.search(text), "ANSI codes on a stdout that is not a terminal"
    assert "Warning" not in text and "BetaWarning" not in text
    assert sum("SVCINDEX_PII_KEY" in line for line in lines) <= 1
    for stage in ("✓ ingest", "✓ dbt build", "✓ quality gate", "✓ publication", "✓ report"):
        assert any(line.startswith(stage) for line in lines), f"no {stage!r} line in:\n{text}"
    ingest = next(line for line in lines if line.startswith("✓ ingest"))
    assert int(re.search(r"([\d,]+) rows loaded", ingest).group(1).replace(",", "")) > 0
    models = re.search(r"(\d+)/(\d+) models and seeds", text)
    assert models and models.group(1) == models.group(2) and int(models.group(2)) > 40
    assert "Scoreboard 2026-10" in text and "bao-cao-chi-so-2026-10.pdf" in text
    log = re.search(r"Full log:\s+(\S+)", text).group(1)
    assert log.startswith(str(second_run_home.root / "logs")) and log.endswith(".log")
    logged = open(log, encoding="utf-8").read()
    assert "STEP_START" in logged and "ASSET_MATERIALIZATION" in logged  # Dagster's events
    assert re.search(r"\d+ of \d+ (START|OK)", logged)  # dbt's node lines
    assert len(lines) <= 30


def test_a_second_run_while_the_warehouse_is_held_says_so(copied_home, capsys):
    """Another process holding the warehouse (DuckDB allows one writer): one sentence, exit 1."""
    from dagster_project.settings import home

    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(600)", str(home().warehouse)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        code, text = call(capsys, "run")
    finally:
        holder.kill()
        holder.wait()
    assert code == 1, text
    assert "Traceback" not in text
    assert "holds the warehouse" in text
    assert re.search(r"Full log:\s+\S+\.log", text)
