"""Ingest: one asset per raw table, each loading every night of its source(s) found in landing/.

The batch gate (Great Expectations) runs inside the asset, on exactly the files this run
loaded, as a blocking check: a bad night stops dbt and publication downstream.
"""
from __future__ import annotations

import dagster as dg
import pandas as pd

from .. import sources
from ..publish import record_quality
from ..quality.gate import validate
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


def batch_files(con, source_names: list[str], loaded_since) -> pd.DataFrame:
    """Files this run processed; if it processed none (a re-run), the source's latest night."""
    return con.execute("""
        with log as (select * from raw.load_log where source in (select unnest(?::varchar[]))),
        this_run as (select * from log where loaded_at > ?),
        latest_night as (select * from log where extract_date = (select max(extract_date) from log))
        select source, extract_date, file_name, status, rows_in_manifest, rows_loaded, rows_quarantined,
               coalesce(rows_quarantined / nullif(rows_loaded + rows_quarantined, 0),
                        case when status = 'loaded' then 0 else 1 end)::double as quarantine_rate,
               message
        from (select * from this_run union all
              select * from latest_night where not exists (select 1 from this_run))
        order by extract_date, file_name""", [source_names, loaded_since]).df()


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
                                       description="Great Expectations on the files loaded by this run")],
        kinds={"duckdb", "python"},
    )
    def ingest(context: dg.AssetExecutionContext):
        h = home().ensure()
        key_value, is_sample = pii_key()
        if is_sample:
            context.log.warning("SVCINDEX_PII_KEY is not set: pseudonymising with the public sample key (demo only)")
        with connection(h.warehouse) as con:
            sources.ensure_raw_schema(con)
            names = sources_of(table, h.landing)
            since = con.execute("select coalesce(max(loaded_at), '-infinity'::timestamp) from raw.load_log").fetchone()[0]
            summaries = {name: sources.load_source(con, h.landing, name, key_value) for name in names}
            for s in summaries.values():
                for m in s.messages:
                    context.log.warning(m)
            files = batch_files(con, names, since)
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
