"""Operator waivers: the audited way forward when a file of a night was rejected.

A rejected file holds back publication (the night would be published incomplete). There are two
ways out: the sender re-delivers the night, or an operator accepts the night without that file
with `svcindex waive --source S --night D --reason "..."`. The waiver records who, when and why in
ops.waivers; the batch gate then counts that night's rejected files as 'waived', the next
publication carries the waiver (its run_id, publication_log.waivers, the published `waivers`
table) and the report's quality annex shows it.
"""
from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pandas as pd

from .settings import Home

WAIVERS_DDL = """
create schema if not exists ops;
create table if not exists ops.waivers (
    source varchar, night date, reason varchar, waived_by varchar, waived_at timestamp,
    run_id varchar  -- the publication that first used the waiver; null until then
);
"""

# The latest load of each file of the (source, night), as the batch gate sees it.
REJECTED_SQL = """
select file_name, message
from raw.load_log
where source = ? and extract_date = ?
qualify row_number() over (partition by file_name order by loaded_at desc) = 1 and status = 'rejected'
order by file_name
"""


class WaiverRefused(ValueError):
    pass


@dataclass
class Waiver:
    source: str
    night: str
    reason: str
    waived_by: str
    waived_at: datetime
    files: list[tuple[str, str]]  # (file, why it was rejected)


def ensure_waivers_schema(con) -> None:
    con.execute(WAIVERS_DDL)


def waive(h: Home, source: str, night: str, reason: str, by: str | None = None) -> Waiver:
    """Record a waiver for the rejected files of one source's night. The caller holds the run lock."""
    from .warehouse import connection

    reason = (reason or "").strip()
    if len(reason) < 5:
        raise WaiverRefused("a waiver needs a reason that says why the night may be published without the file "
                            '(--reason "...")')
    try:
        night_date = date.fromisoformat(night)
    except ValueError:
        raise WaiverRefused(f"--night {night!r} is not a date (YYYY-MM-DD)") from None
    if not h.warehouse.exists():
        raise WaiverRefused(f"no warehouse at {h.warehouse}: nothing has been loaded, so nothing can be waived")
    who = by or getpass.getuser()
    with connection(h.warehouse) as con:
        ensure_waivers_schema(con)
        has_log = con.execute("select count(*) from information_schema.tables "
                              "where table_schema = 'raw' and table_name = 'load_log'").fetchone()[0]
        files = con.execute(REJECTED_SQL, [source, night_date]).fetchall() if has_log else []
        if not files:
            raise WaiverRefused(f"nothing to waive: no file of {source} for the night {night} is rejected "
                                "in raw.load_log")
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        con.execute("insert into ops.waivers values (?, ?, ?, ?, ?, null)", [source, night_date, reason, who, now])
    return Waiver(source, night, reason, who, now, files)


def apply_waivers(con, files: pd.DataFrame) -> pd.DataFrame:
    """The batch's files with status 'waived' for a rejected file of a waived (source, night).
    A waived file has no quarantine rate: none of its lines were read."""
    ensure_waivers_schema(con)
    waived = {(s, n.isoformat()) for s, n in con.execute("select distinct source, night from ops.waivers").fetchall()}
    if files.empty or not waived:
        return files
    key = list(zip(files["source"], files["extract_date"].map(lambda d: pd.Timestamp(d).date().isoformat())))
    hit = (files["status"] == "rejected") & pd.Series([k in waived for k in key], index=files.index)
    files = files.copy()
    files.loc[hit, "status"] = "waived"
    files.loc[hit, "quarantine_rate"] = None
    return files


def held_back_message(files: pd.DataFrame) -> str | None:
    """The message for rejected files with no waiver: which file, why, and the two ways out."""
    held = files[files["status"] == "rejected"]
    if held.empty:
        return None
    lines = ["Publication held back: a rejected file would leave its night incomplete."]
    for row in held.itertuples():
        night = pd.Timestamp(row.extract_date).date().isoformat()
        why = row.message if len(row.message or "") <= 160 else row.message[:157] + "..."
        lines += [f"  {row.file_name} rejected: {why}",
                  f'  ways out: re-deliver landing/{row.source}/{night}/ (new _manifest.json), or '
                  f'svcindex waive --source {row.source} --night {night} --reason "..."']
    return "\n".join(dict.fromkeys(lines))  # one 'waive' line per night, even with several files


def published_waivers_sql(run_id_param: str = "?") -> str:
    """The published `waivers` table: every waiver, with the publication that first used it
    (this one for the waivers not used before)."""
    return (f"select source, night, reason, waived_by, waived_at, coalesce(run_id, {run_id_param}) as run_id "
            "from wh.ops.waivers order by waived_at, source, night")
