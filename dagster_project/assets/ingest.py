"""Ingest: one asset per raw table, each loading every night of its source(s) found in landing/.

The batch gate (Great Expectations) runs inside the asset, on exactly the files this run
loaded, as a blocking check: a bad night stops dbt and publication downstream.
"""

from datetime import datetime

import dagster as dg
import pandas as pd

from .. import sources
from ..publish import record_quality
from ..quality.gate import validate
from ..ops import VN_OFFSET, freshness_verdict, nightly_partitions
from ..settings import EXPECTATIONS_DIR, home, pii_key
from ..warehouse import connection

# raw table -> the raw tables it validates codes against (loaded first)
RAW_TABLES: dict[str, list[str]] = {
    "dvcqg_coquan": [],
    "csdl_tthc": [],
    "dvcqg_dvctt": ["dvcqg_coquan", "csdl_tthc"],
    "dvcqg_hoso": ["dvcqg_coquan", "csdl_tthc"],
    "dvcqg_pakn": ["dvcqg_coquan"],
    "dvcqg_danhgia": ["dvcqg_hoso"],
    "bcqg_tiepnhan": ["dvcqg_coquan"],
    "agency_hoso": ["dvcqg_coquan", "csdl_tthc"],
}


def sources_of(table: str, landing) -> list[str]:
    """Landing sources feeding a raw table: itself, or every agency_<system> for agency_hoso."""
    if table == "agency_hoso":
        return [s for s in sources.discover_sources(landing) if s.startswith("agency_")]
    return [table]


def batch_files(con, source_names: list[str], nights: list[str]) -> pd.DataFrame:
    """The load-log rows of the partition's nights: what the batch gate judges."""
    return con.execute("""
        select source, extract_date, file_name, status, rows_in_manifest, rows_loaded, rows_quarantined,
               coalesce(rows_quarantined / nullif(rows_loaded + rows_quarantined, 0),
                        case when status = 'loaded' then 0 else 1 end)::double as quarantine_rate,
               message
        from raw.load_log
        where source in (select unnest(?::varchar[])) and extract_date in (select unnest(?::date[]))
        order by extract_date, file_name""", [source_names, nights]).df()


def build_ingest_asset(table: str) -> dg.AssetsDefinition:
    key = dg.AssetKey(["raw", table])
    row_suite = f"{table}_batch"
    has_row_suite = (EXPECTATIONS_DIR / f"{row_suite}.json").exists()

    @dg.asset(
        key=key,
        group_name="ingest",
        deps=[dg.AssetKey(["raw", d]) for d in RAW_TABLES[table]],
        description=f"raw.{table}: every complete night of the landing source(s) validated, "
                    "pseudonymised and loaded; bad records quarantined in raw.quarantine.",
        check_specs=[dg.AssetCheckSpec("batch_gate", asset=key, blocking=True,
                                       description="Great Expectations on the files of the partition's nights")],
        kinds={"duckdb", "python"},
        partitions_def=nightly_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
    )
    def ingest(context: dg.AssetExecutionContext):
        h = home().ensure()
        key_value, is_sample = pii_key()
        if is_sample:
            context.log.warning("SVCINDEX_PII_KEY is not set: pseudonymising with the public sample key (demo only)")
        with connection(h.warehouse) as con:
            sources.ensure_raw_schema(con)
            names = sources_of(table, h.landing)
            if not any((h.landing / name).is_dir() for name in names):
                context.log.warning(f"raw.{table}: no landing folder for {names or table}; nothing to load")
                return dg.MaterializeResult(
                    metadata={"rows_loaded": 0},
                    check_results=[dg.AssetCheckResult(check_name="batch_gate", passed=True,
                                                       severity=dg.AssetCheckSeverity.WARN,
                                                       description="source not delivered; see the freshness check")])
            nights = context.partition_keys
            summaries = {name: sources.load_source(con, h.landing, name, key_value, nights=nights) for name in names}
            for s in summaries.values():
                for m in s.messages:
                    context.log.warning(m)
            files = batch_files(con, names, nights)
            results = [validate("ingest_files", files, h.quality / "data_docs")]
            if has_row_suite:
                rows = con.execute(f"select * from raw.{table} where _file in (select unnest(?::varchar[]))",
                                   [files["file_name"].tolist()]).df()
                results.append(validate(row_suite, rows, h.quality / "data_docs"))
            record_quality(con, context.run_id, table, results)
            total_rows = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
        passed = all(r.passed for r in results)
        summary = "\n".join(r.describe() for r in results)
        metadata = {
            "rows_loaded": sum(s.rows_loaded for s in summaries.values()),
            "rows_quarantined": sum(s.rows_quarantined for s in summaries.values()),
            "files_loaded": sum(s.files_loaded for s in summaries.values()),
            "files_skipped": sum(s.files_skipped for s in summaries.values()),
            "files_rejected": sum(s.files_rejected for s in summaries.values()),
            "table_rows": total_rows,
            "batch_files": dg.MetadataValue.md(files.drop(columns=["message"]).to_markdown(index=False)),
        }
        docs = results[0].docs_url
        check_meta = {"gate": dg.MetadataValue.md("```\n" + summary + "\n```")}
        if docs:
            check_meta["data_docs"] = dg.MetadataValue.url(docs)
            metadata["data_docs"] = dg.MetadataValue.url(docs)
        if not passed:
            context.log.error(f"Quality gate failed for raw.{table}:\n{summary}")
        return dg.MaterializeResult(
            metadata=metadata,
            check_results=[dg.AssetCheckResult(check_name="batch_gate", passed=passed,
                                               severity=dg.AssetCheckSeverity.ERROR, metadata=check_meta,
                                               description=summary[:1000])],
        )

    return ingest


ingest_assets = [build_ingest_asset(t) for t in RAW_TABLES]


def build_freshness_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=dg.AssetKey(["raw", table]), name="freshness",
                    description="Fails when a source feeding this table has no extract window ending in the last 36 hours")
    def freshness(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        landing = home().landing
        now = datetime.now(VN_OFFSET)
        verdicts = [freshness_verdict(landing, name, now) for name in sources_of(table, landing) or [table]]
        return dg.AssetCheckResult(passed=all(ok for ok, _ in verdicts), severity=dg.AssetCheckSeverity.WARN,
                                   description="\n".join(why for _, why in verdicts))

    return freshness


freshness_checks = [build_freshness_check(t) for t in RAW_TABLES]
