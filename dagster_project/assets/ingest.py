"""Ingest: one asset per raw table, daily-partitioned by extract night.

The batch gate (Great Expectations) runs inside the asset, on every file the manifests of the
partition's nights promise, as a blocking check: a bad night stops dbt and publication downstream.
"""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import dagster as dg
import pandas as pd

from .. import lake, sources
from ..sources._landing import VN, nights as landing_nights
from ..quality.batch_sql import BatchSql, query_chunks
from ..quality.gate import build_data_docs, validate, validate_chunks
from ..quality.results import record_quality
from ..freshness import freshness_verdict
from ..partitions import nightly_partitions
from ..resources import HomeResource
from ..settings import pii_key
from ..pause import pause_point
from ..waivers import apply_waivers, held_back_message
from ..warehouse import connection

# raw table -> the raw tables it validates codes against (loaded first)
RAW_TABLES: dict[str, list[str]] = {
    "dvcqg_coquan": [],
    "csdl_tthc": [],
    "csdl_tthc_donvi": ["dvcqg_coquan", "csdl_tthc"],
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


def batch_files(con, landing: Path, source_names: list[str], nights: list[str]) -> pd.DataFrame:
    """Every file the manifests of the partition's nights promise, with how it was loaded.

    A file is matched to the load log by its path, or else, when it was re-delivered under
    another night, by its sha256; a promised file found in neither is 'missing'."""
    promised = pd.DataFrame(
        [(n.source, n.extract_date, f"{n.source}/{n.folder.name}/{f.name}", (f.sha256 or "").lower())
         for source in source_names for n in landing_nights(landing, source)[0]
         if n.extract_date.isoformat() in nights for f in n.files],
        columns=["source", "extract_date", "file_name", "manifest_sha256"])
    return con.execute("""
        with per_night as (
            select source, extract_date, sum(rows_loaded + rows_quarantined + coalesce(rows_duplicate, 0)) as lines
            from raw.load_log where status = 'loaded' group by all),
        night_volume as (
            -- lines delivered against the median of the 7 nights before; null until 3 exist
            select source, extract_date,
                   case when count(*) over w >= 3 then lines / nullif(median(lines) over w, 0) end as volume_ratio
            from per_night
            window w as (partition by source order by extract_date rows between 7 preceding and 1 preceding)),
        by_name as (select * from raw.load_log qualify row_number() over (partition by file_name order by loaded_at desc) = 1),
             by_sha as (select * from raw.load_log where status = 'loaded'
                        qualify row_number() over (partition by source, file_sha256 order by loaded_at) = 1)
        select p.source, p.extract_date, p.file_name,
               coalesce(n.status, s.status, 'missing') as status,
               case when n.file_name is null and s.file_name is not null then s.file_name end as redelivery_of,
               coalesce(n.rows_in_manifest, s.rows_in_manifest) as rows_in_manifest,
               coalesce(n.rows_loaded, s.rows_loaded, 0) as rows_loaded,
               coalesce(n.rows_quarantined, s.rows_quarantined, 0) as rows_quarantined,
               coalesce(coalesce(n.rows_quarantined, s.rows_quarantined)
                        / nullif(coalesce(n.rows_loaded, s.rows_loaded) + coalesce(n.rows_quarantined, s.rows_quarantined), 0),
                        case when coalesce(n.status, s.status) = 'loaded' then 0 else 1 end)::double as quarantine_rate,
               coalesce(n.message, s.message) as message,
               v.volume_ratio
        from promised p
        left join by_name n on n.file_name = p.file_name
        left join by_sha s on s.file_sha256 = p.manifest_sha256 and s.source = p.source
        left join night_volume v on v.source = p.source and v.extract_date = p.extract_date
        order by p.extract_date, p.file_name""").df()


def _batch_query(table: str) -> str:
    """The batch's records, with whether their unit and procedure codes are known."""
    known = "".join(f", {sql} as {name}" for name, sql in sources.reference_columns(table).items())
    return (f"select *{known} from raw.{table} "
            "where _file in (select unnest(?::varchar[]))")


def batch_chunks(con, table: str, file_names: list[str], **sizes) -> Iterator[pd.DataFrame]:
    """The batch's records, with whether their unit and procedure codes are known, in chunks."""
    return query_chunks(con, _batch_query(table), [file_names], **sizes)


def batch_sql(con, table: str, file_names: list[str]) -> BatchSql:
    """The batch's row and key expectations, answered in SQL over every record."""
    return BatchSql(con, _batch_query(table), [file_names])


def night_metadata(files: pd.DataFrame) -> dict:
    """One night's figures, from the batch's file frame (one row per promised file)."""
    loaded = int(files.rows_loaded.sum())
    quarantined = int(files.rows_quarantined.sum())
    ratio = files.volume_ratio.dropna()
    return {
        "rows_loaded": loaded,
        "rows_quarantined": quarantined,
        "quarantine_rate": round(quarantined / (loaded + quarantined), 6) if loaded + quarantined else 0.0,
        "files_loaded": int((files.status == "loaded").sum()),
        "files_not_loaded": int((files.status != "loaded").sum()),
        "volume_vs_7_night_median": float(ratio.iloc[0]) if len(ratio) else None,
        "night_files": dg.MetadataValue.md(files.drop(columns=["message"]).to_markdown(index=False)),
    }


def build_ingest_asset(table: str) -> dg.AssetsDefinition:
    key = dg.AssetKey(["raw", table])
    row_suite = f"{table}_batch"  # expectations/<table>_batch.json

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
    def ingest(context: dg.AssetExecutionContext, home: HomeResource):
        h = home.paths.ensure()
        key_value, is_sample = pii_key()
        if is_sample:
            context.log.warning("SVCINDEX_PII_KEY is not set: pseudonymising with the public sample key (demo only)")
        with connection(h.warehouse) as con:
            sources.ensure_raw_schema(con)
            names = sources_of(table, h.landing)
            if not any((h.landing / name).is_dir() for name in names):
                if lake.enabled():  # still give the lake this table's (empty) nights and schema
                    lake.export_nights(con, h.lake, table, context.partition_keys)
                context.log.warning(f"raw.{table}: no landing folder for {names or table}; nothing to load")
                return dg.MaterializeResult(
                    metadata={"rows_loaded": 0},
                    check_results=[dg.AssetCheckResult(check_name="batch_gate", passed=False,
                                                       severity=dg.AssetCheckSeverity.WARN,
                                                       description="source not delivered; see the freshness check")])
            nights = context.partition_keys
            started = con.execute("select now()::timestamp").fetchone()[0]  # the loaders' clock
            summaries = {name: sources.load_source(con, h.landing, name, key_value, nights=nights) for name in names}
            pause_point("ingest")  # for the kill -9 tests: this table's files are loaded, the others not yet
            if lake.enabled():  # the same nights as Parquet, for Spark (README "Scaling out")
                touched = lake.touched_nights(con, names, started, nights)
                for t in (table, "load_log"):
                    lake.export_nights(con, h.lake, t, touched)
            for s in summaries.values():
                for m in s.messages:    # already pseudonymised by the loader
                    (context.log.error if m in s.rejections else context.log.info)(m)
            files = apply_waivers(con, batch_files(con, h.landing, names, nights))
            batch = files["redelivery_of"].fillna(files["file_name"]).tolist()
            results = [validate("ingest_files", files, h.quality / "data_docs"),
                       validate_chunks(row_suite, batch_chunks(con, table, batch), h.quality / "data_docs",
                                       whole_batch=batch_sql(con, table, batch))]
            record_quality(con, context.run.run_id, table, results)
            total_rows = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
        held = held_back_message(files)
        if held:  # not a quality verdict: the night is incomplete until re-delivered or waived
            context.log.error(held)
            build_data_docs(h.quality / "data_docs")  # the run stops here
            raise dg.Failure(description=held, metadata={
                "batch_files": dg.MetadataValue.md(files.drop(columns=["message"]).to_markdown(index=False))})
        passed = all(r.passed for r in results)
        summary = "\n".join(r.describe() for r in results)
        # Each night's own figures on its own partition (a range run materialises every night of
        # the range at once; without this every partition would show the batch's totals).
        for night, night_files in files.groupby(files.extract_date.astype(str)):
            if night in nights:
                context.add_asset_metadata(night_metadata(night_files), partition_key=night)
        # What is true of the whole run, on every partition it materialised.
        metadata = {
            "batch_nights": dg.MetadataValue.text(f"{nights[0]} … {nights[-1]} ({len(nights)} nights)"
                                                  if len(nights) > 1 else nights[0]),
            "table_rows": total_rows,
        }
        docs = results[0].docs_url
        check_meta = {"gate": dg.MetadataValue.md("```\n" + summary + "\n```")}
        if docs:
            check_meta["data_docs"] = dg.MetadataValue.url(docs)
            metadata["data_docs"] = dg.MetadataValue.url(docs)
        if not passed:
            context.log.error(f"Quality gate failed for raw.{table}:\n{summary}")
            build_data_docs(h.quality / "data_docs")  # the run stops here, before the publication
        warned = any(r.warnings for r in results)
        return dg.MaterializeResult(
            metadata=metadata,
            check_results=[dg.AssetCheckResult(
                check_name="batch_gate", passed=passed and not warned,
                severity=dg.AssetCheckSeverity.ERROR if not passed or not warned else dg.AssetCheckSeverity.WARN,
                metadata=check_meta, description=summary[:1000])],
        )

    return ingest


ingest_assets = [build_ingest_asset(t) for t in RAW_TABLES]

# dbt reads raw.load_log (the as-of date is the latest loaded night); every ingest asset writes it.
load_log = dg.AssetSpec(["raw", "load_log"], group_name="ingest", kinds={"duckdb"},
                        description="raw.load_log: one row per landing file (sha256, rows loaded and quarantined, "
                                    "status, message), written by every ingest asset.")


def build_freshness_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=dg.AssetKey(["raw", table]), name="freshness",
                    description="Fails when a source feeding this table has no extract window ending in the last 36 hours")
    def freshness(context: dg.AssetCheckExecutionContext, home: HomeResource) -> dg.AssetCheckResult:
        landing = home.paths.landing
        now = datetime.now(VN)
        verdicts = [freshness_verdict(landing, name, now) for name in sources_of(table, landing) or [table]]
        return dg.AssetCheckResult(passed=all(ok for ok, _ in verdicts), severity=dg.AssetCheckSeverity.WARN,
                                   description="\n".join(why for _, why in verdicts))

    return freshness


freshness_checks = [build_freshness_check(t) for t in RAW_TABLES]
