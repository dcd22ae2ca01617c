"""The sync-gap warning: a unit whose agency-received dossiers are missing from the portal past the
rulebook's share (CKMB.4 sync_gap_warn_share) is flagged as a WARN on fct_sync_gap_summary. It never
blocks publication: the gap is the agency's to close, and the scores already count it (CKMB.4)."""

import dagster as dg

from ..resources import HomeResource

SYNC_GAP_SUMMARY = dg.AssetKey(["marts", "fct_sync_gap_summary"])


def units_over_threshold(con) -> list[tuple]:
    """(unit_code, gap_dossiers, agency_received, gap_share, oldest_age_working_days), worst first."""
    return con.execute("""
        select unit_code, gap_dossiers, agency_received, gap_share, oldest_age_working_days
        from marts.fct_sync_gap_summary where above_warn_share
        order by gap_share desc, gap_dossiers desc, unit_code""").fetchall()


@dg.asset_check(asset=SYNC_GAP_SUMMARY, name="sync_gaps", blocking=False,
                description="Warns (never blocks) when a unit's dossiers missing from the portal after N working "
                            "days exceed the rulebook's share (CKMB.4 sync_gap_warn_share) of those it received.")
def sync_gap_check(context: dg.AssetCheckExecutionContext, home: HomeResource) -> dg.AssetCheckResult:
    with home.warehouse(read_only=True) as con:
        over = units_over_threshold(con)
        threshold = con.execute("select max(warn_share) from marts.fct_sync_gap_summary").fetchone()[0]
    share = f"{threshold:.0%}" if threshold is not None else "(no unit has dossiers old enough)"
    lines = [f"{u}: {g} of {n} dossiers ({s:.1%}) not on the portal, oldest {a} working days"
             for u, g, n, s, a in over]
    if lines:
        context.log.warning(f"{len(over)} unit(s) above the sync-gap share {share}: " + "; ".join(lines[:5])
                            + (" …" if len(lines) > 5 else ""))
    return dg.AssetCheckResult(
        passed=not over, severity=dg.AssetCheckSeverity.WARN,
        description=(f"{len(over)} unit(s) above the sync-gap share {share}" if over
                     else f"no unit above the sync-gap share {share}"),
        metadata={"units_over": len(over),
                  "worst": dg.MetadataValue.md("\n".join(f"- {line}" for line in lines[:20]) or "none")})
