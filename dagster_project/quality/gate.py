"""Great Expectations, run on DataFrames read from DuckDB.

Suites live in expectations/<suite>.json as versioned files. Each expectation carries GE's own
`severity`: `critical` blocks publication, `warning` is reported only. GE's SQL datasource does
not work on DuckDB (notes/stack.md), so callers hand us pandas DataFrames of a batch or of
aggregates; checks over whole large tables run as dbt tests in SQL instead.
"""
from __future__ import annotations

import csv
import functools
import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol
from pathlib import Path

import pandas as pd

from ..settings import EXPECTATIONS_DIR, SEEDS_DIR

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


@dataclass
class ExpectationOutcome:
    suite: str
    expectation: str
    column: str | None
    severity: str  # blocking | warning
    success: bool
    observed: str


@dataclass
class GateResult:
    suite: str
    rows: int
    outcomes: list[ExpectationOutcome] = field(default_factory=list)
    docs_url: str | None = None

    @property
    def blocking_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "blocking"]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "warning"]

    @property
    def passed(self) -> bool:
        return not self.blocking_failures

    @property
    def check_severity(self):
        """How a Dagster asset check reports this result: a blocking failure fails with ERROR (and,
        on a blocking check, stops downstream assets); warnings alone fail with WARN, which Dagster
        shows as a warning and does not block on; a clean result passes."""
        import dagster as dg

        return dg.AssetCheckSeverity.ERROR if self.blocking_failures or not self.warnings else dg.AssetCheckSeverity.WARN

    @property
    def check_passed(self) -> bool:
        return not self.blocking_failures and not self.warnings

    def describe(self) -> str:
        if not self.blocking_failures and not self.warnings:
            return f"{self.suite}: all {len(self.outcomes)} expectations met on {self.rows} rows"
        lines = [f"{self.suite}: {len(self.blocking_failures)} blocking failure(s), "
                 f"{len(self.warnings)} warning(s) on {self.rows} rows"]
        for o in self.blocking_failures + self.warnings:
            lines.append(f"  [{o.severity}] {o.expectation}({o.column or ''}): observed {o.observed}")
        return "\n".join(lines)

    def to_rows(self) -> list[dict]:
        return [o.__dict__ for o in self.outcomes]


def load_suite(name: str) -> dict:
    """expectations/<name>.json; a batch suite starts with what its source declares (batch_suites)."""
    from .batch_suites import batch_table, declared_expectations

    path = EXPECTATIONS_DIR / f"{name}.json"
    with path.open(encoding="utf-8") as f:
        suite = json.load(f)
    if table := batch_table(name):
        suite["expectations"] = declared_expectations(table) + suite["expectations"]
    for expectation in suite["expectations"]:
        if "value_set_from_seed" in expectation:
            expectation["kwargs"]["value_set"] = seed_values(**expectation.pop("value_set_from_seed"))
    return suite


def seed_values(seed: str, column: str) -> list[str]:
    """The distinct values of a rulebook seed's column (every rule version): a suite's value set
    for groups or bands is read from the rulebook (seeds/), never written out in the suite."""
    with (SEEDS_DIR / f"{seed}.csv").open(encoding="utf-8", newline="") as f:
        return sorted({row[column] for row in csv.DictReader(f)})


def _observed(result: dict) -> str:
    if "observed_value" in result:
        return str(result["observed_value"])
    if "unexpected_count" in result:
        sample = result.get("partial_unexpected_list") or []
        return f"{result['unexpected_count']} unexpected, e.g. {sample[:3]}"
    return json.dumps(result, default=str)[:200]


def _columns(kwargs: dict) -> str | None:
    """The column(s) an expectation is about, for messages: column, column_A,column_B or column_list."""
    names = [kwargs[k] for k in ("column", "column_A", "column_B") if kwargs.get(k)] + list(kwargs.get("column_list", []))
    return ",".join(names) or None


def validate(suite_name: str, df: pd.DataFrame, docs_dir: Path | None = None) -> GateResult:
    """Validate `df` against expectations/<suite_name>.json; optionally write Data Docs."""
    return validate_chunks(suite_name, [df], docs_dir)


class WholeBatch(Protocol):
    """Answers about a whole batch, computed set-based where the batch lives (DuckDB)."""
    rows: int

    def answer(self, expectation: str, kwargs: dict) -> tuple[bool, str] | None:
        """(success, observed) of this expectation over every record of the batch, or None."""


def validate_chunks(suite_name: str, chunks: Iterable[pd.DataFrame], docs_dir: Path | None = None,
                    whole_batch: WholeBatch | None = None) -> GateResult:
    """Validate a batch handed over in row chunks (read lazily: a national month does not fit in
    one DataFrame) as one result.

    GE runs on the first chunk. An expectation `whole_batch` answers (set-based SQL over every
    record) takes that answer; one about the columns and their types holds for every chunk as it
    holds for the first (the warehouse types the whole table); any other is run by GE over every
    chunk and holds when it holds on each, its observed value that of the first chunk where it
    failed (a `mostly` one then must hold on every chunk: stricter than on the whole). The Data
    Docs page shows GE's view of the first chunk (or of the first chunk that failed); the
    result's outcomes, which the gate and the warehouse record, are the whole batch's."""
    spec = json.dumps(load_suite(suite_name), sort_keys=True)
    result = GateResult(suite=suite_name, rows=0)
    shown = None  # the run whose page the docs link shows: the first that failed, else the first
    pending: list[int] = []  # expectations GE must see on every chunk
    rows = n_chunks = 0
    for df in chunks:
        run = _run_checkpoint(docs_dir, suite_name, spec, df)
        rows += len(df)
        n_chunks += 1
        results = [r for validation in run.run_results.values() for r in validation.results]
        if shown is None:  # the first chunk
            shown = run
            result.outcomes = [_outcome(suite_name, r) for r in results]
            for i, (o, r) in enumerate(zip(result.outcomes, results)):
                verdict = whole_batch.answer(o.expectation, dict(r.expectation_config.kwargs)) if whole_batch else None
                if verdict is not None:
                    o.success, o.observed = bool(verdict[0]), verdict[1]
                elif o.expectation not in SCHEMA_LEVEL:
                    pending.append(i)
            if not pending:
                break
            continue
        for i in pending:
            o = _outcome(suite_name, results[i])
            if result.outcomes[i].success and not o.success:
                result.outcomes[i] = o
        if shown.success and not run.success:
            shown = run
    result.rows = whole_batch.rows if whole_batch else rows
    if n_chunks > 1:
        for i in pending:
            if result.outcomes[i].expectation in BATCH_WIDE:
                raise ValueError(f"{suite_name}: {result.outcomes[i].expectation} is about the whole batch; "
                                 "its whole_batch answer is missing")
    if docs_dir is not None and shown is not None:
        result.docs_url = _validation_page_url(shown, Path(docs_dir))
    return result


def _run_checkpoint(docs_dir: Path | None, suite_name: str, spec: str, df: pd.DataFrame):
    from great_expectations.exceptions.resource_freshness import ResourceFreshnessAggregateError

    try:
        return _checkpoint(docs_dir, suite_name, spec).run(batch_parameters={"dataframe": df})
    except ResourceFreshnessAggregateError:  # another process declared the suite again in this home since
        _checkpoint.cache_clear()
        return _checkpoint(docs_dir, suite_name, spec).run(batch_parameters={"dataframe": df})


@functools.cache
def _checkpoint(docs_dir: Path | None, suite_name: str, spec: str):
    """The suite, its validation definition and checkpoint, declared once per process and content
    of the suite (`spec`, load_suite's JSON): declaring them took 40 % of a validation's time, a
    run makes twenty-odd."""
    import great_expectations as gx
    from great_expectations.core import ExpectationSuite

    spec = json.loads(spec)
    context = _context(docs_dir)
    suite = context.suites.add_or_update(ExpectationSuite(name=suite_name, expectations=spec["expectations"],
                                                          meta=spec.get("meta", {})))
    batch = context.data_sources.add_or_update_pandas("warehouse").add_dataframe_asset(suite_name) \
        .add_batch_definition_whole_dataframe("batch")
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite_name, data=batch, suite=suite))
    # No actions: the pages are built once per run (build_data_docs), not once per validation.
    return context.checkpoints.add_or_update(gx.Checkpoint(name=suite_name, validation_definitions=[definition]))


# The Data Docs index lists the latest validations only: every index build reads each result it
# lists, and a night writes about twenty (two per source, three score suites). Older pages stay on
# disk, linked from their Dagster check.
INDEX_VALIDATIONS = 500


@functools.cache
def _context(docs_dir: Path | None):
    """A GE context, one per docs folder and process (a run's twenty-odd validations share it);
    with `docs_dir`, its suites and validation results kept on disk beside the docs (so that the
    Data Docs index lists every suite and run, not only this process's) and the Data Docs site
    `quality` there."""
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    if docs_dir is None:
        context = gx.get_context(mode="ephemeral")
    else:
        from great_expectations.data_context.types.base import DataContextConfig, FilesystemStoreBackendDefaults

        stores = FilesystemStoreBackendDefaults(root_directory=str(_results_dir(docs_dir).parents[1]))
        context = gx.get_context(mode="ephemeral", project_config=DataContextConfig(store_backend_defaults=stores))
        context.add_data_docs_site("quality", {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder",
                                   "validation_results_limit": INDEX_VALIDATIONS},
        })
    context.variables.progress_bars = {"globally": False}
    return context


def _results_dir(docs_dir: Path) -> Path:
    """Where GE keeps the validation results (<suite>/<run name>/<run time>/<batch>.json); the
    site keeps each one's page at the same relative path under <docs_dir>/validations (.html)."""
    return Path(docs_dir).parent / "gx" / "uncommitted" / "validations"


def _page(docs_dir: Path, result: Path) -> Path:
    return (Path(docs_dir) / "validations" / result.relative_to(_results_dir(docs_dir))).with_suffix(".html")


def build_data_docs(docs_dir: Path) -> None:
    """The Data Docs pages, once per run: by the publication after the night's last validation,
    or by the step whose gate stops the run. Every validation result without a page gets one
    (this run's, and those of a run that stopped before this call), with its suite's page and
    the index.

    GE compiles its page templates on each build: one build of a night's twenty-odd pages took
    0.2 s on the sample, twenty-one builds of one page each 1.7 s. The index reads every result
    it lists (INDEX_VALIDATIONS)."""
    from great_expectations.data_context.types.resource_identifiers import (ExpectationSuiteIdentifier,
                                                                              ValidationResultIdentifier)

    results = _results_dir(docs_dir)
    missing = [ValidationResultIdentifier.from_tuple(r.relative_to(results).with_suffix("").parts)
               for r in sorted(results.glob("*/*/*/*.json")) if not _page(docs_dir, r).exists()]
    if missing:  # (given no identifiers, GE would render every page again)
        suites = sorted({k.expectation_suite_identifier.name for k in missing})
        _context(docs_dir).build_data_docs(
            site_names=["quality"],
            resource_identifiers=[*missing, *(ExpectationSuiteIdentifier(name=s) for s in suites)])


# Expectations whose verdict on a batch is not the conjunction of their verdicts on its chunks.
BATCH_WIDE = {"expect_table_row_count_to_be_between", "expect_compound_columns_to_be_unique",
              "expect_column_values_to_be_unique"}
# Expectations about the frame's columns and dtypes: the same on every chunk of one query.
SCHEMA_LEVEL = {"expect_table_columns_to_match_set", "expect_column_values_to_be_of_type"}


def _outcome(suite_name: str, r) -> ExpectationOutcome:
    cfg = r.expectation_config
    return ExpectationOutcome(
        suite=suite_name,
        expectation=cfg.type,
        column=_columns(cfg.kwargs),
        severity="blocking" if str(getattr(cfg.severity, "value", cfg.severity)) == "critical" else "warning",
        success=bool(r.success),
        observed=_observed(r.result or {}),
    )


def _validation_page_url(run, docs_dir: Path) -> str:
    """http address (docs_server) of this validation's page in the site (built by build_data_docs)."""
    from .docs_server import page_url

    identifier = next(iter(run.run_results))
    return page_url(docs_dir, _page(docs_dir, _results_dir(docs_dir).joinpath(*identifier.to_tuple()).with_suffix(".json")))
