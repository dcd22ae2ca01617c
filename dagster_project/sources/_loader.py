"""The one loading mechanism every source shares.

Per file: manifest checks (sha256, row count, gzip, CSV header) → lines into DuckDB → one
statement types and validates every record → quarantine rows, new good rows and the load-log
row are written in one transaction. Python only orchestrates files; records stay in DuckDB.

Idempotency: a file whose sha256 was already loaded is skipped (per night for snapshot sources,
whose bytes may legitimately repeat on another night); a record version already in raw
(same key) is dropped and counted, never an error; the same rejection is logged once.

Corrections: a file delivered again under the same name with other bytes (a re-delivered night,
new manifest) replaces the earlier delivery in the same transaction: the old file's rows and
quarantine rows are retracted, the new file's loaded, and the load-log row names both checksums
(`replaces_sha256`; the old row becomes 'superseded'). A file the new manifest no longer lists
is retracted the same way.

Nothing personal leaves this module: quarantined lines, reasons, load-log messages, summary
messages and errors all pass through `pii_redact` (see _pseudonymise) before they are written,
logged or raised.
"""
from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from . import _pseudonymise
from ._landing import (MANIFEST, FileRejected, ManifestFile, Night, check_encoding, lines_table, nights,
                       outside_reason, read_bytes, sha256_of, split_header)
from ._schema import ensure_raw_schema
from ._spec import SourceSpec
from ._sql import defects_table, lit, output_columns

LOG_COLUMNS = ("source, extract_date, file_name, file_sha256, rows_in_manifest, rows_loaded, rows_quarantined,"
               " status, message, loaded_at, rows_duplicate, replaces_sha256, rows_retracted")
MESSAGES_PER_FILE = 20     # a night with 10k bad lines must not flood the Dagster metadata
# A quarantined line keeps its text with personal fields hashed; a line that is JSON but not an
# object has no field names to tell personal data from the rest, so only its hash is kept.
WITHHELD_OR_REDACTED = ("case when not json_valid(line) then pii_redact(line)"    # CASE: json_type throws on non-JSON
                        " when json_type(line) <> 'OBJECT' then '(withheld: a JSON ' || lower(json_type(line))"
                        " || ', not an object; its hash is ' || pii_hash(line) || ')'"
                        " else pii_redact(line) end")


@dataclass
class LoadSummary:
    files_loaded: int = 0
    files_skipped: int = 0
    files_rejected: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    rows_retracted: int = 0
    messages: list[str] = field(default_factory=list)
    rejections: list[str] = field(default_factory=list)   # also in messages; errors for the log

    def to_metadata(self) -> dict:
        shown = self.messages[:200]
        more = [f"... and {len(self.messages) - len(shown)} more"] if len(self.messages) > len(shown) else []
        return {
            "files_loaded": self.files_loaded,
            "files_skipped": self.files_skipped,
            "files_rejected": self.files_rejected,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "rows_duplicate": self.rows_duplicate,
            "rows_retracted": self.rows_retracted,
            "messages": "\n".join(shown + more),
        }


def load_nights(con: duckdb.DuckDBPyConnection, landing: Path, specs: list[SourceSpec],
                pii_key: str, only: Collection[str] | None = None) -> dict[str, LoadSummary]:
    """Load every complete night of `specs` (or only the nights named in `only`, YYYY-MM-DD:
    a Dagster partition range), nights in date order and, within a night, in the order of
    `specs` (reference snapshots first), so that one run over 30 nights and 30 runs of one
    night each end in the same raw state."""
    ensure_raw_schema(con)
    _pseudonymise.install(con, pii_key)
    summaries = {s.name: LoadSummary() for s in specs}
    plan: list[tuple[date, int, Night, SourceSpec]] = []
    for rank, spec in enumerate(specs):
        found, notes = nights(landing, spec.name)
        summaries[spec.name].messages.extend(notes)
        plan += [(n.extract_date, rank, n, spec) for n in found
                 if only is None or n.extract_date.isoformat() in only]
    for _, _, night, spec in sorted(plan, key=lambda p: p[:2]):
        summary = summaries[spec.name]
        if not night.problem:
            _retract_unlisted(con, spec, night, summary)
            if not night.files:
                _log_empty_night(con, spec, night, summary)
        for mf in sorted(night.files, key=lambda m: m.name):
            _load_file(con, spec, night, mf, summary)
    # File names and reasons come from outside too: one set-based pass over every message.
    for summary in summaries.values():
        for attr in ("messages", "rejections"):
            if getattr(summary, attr):
                setattr(summary, attr, con.execute("select list_transform(?::varchar[], lambda m: pii_redact(m))",
                                                   [getattr(summary, attr)]).fetchone()[0])
    return summaries


class LoadFailed(RuntimeError):
    """A database error while loading a file, with every quoted value and digit run removed: DuckDB
    quotes the values it could not handle, and this message reaches Dagster's event log."""


def _scrubbed(e: Exception) -> str:
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", str(e).splitlines()[0] if str(e) else type(e).__name__)
    return re.sub(r"\d{6,}", "…", text)[:300]


def _load_file(con, spec: SourceSpec, night: Night, mf: ManifestFile, summary: LoadSummary) -> None:
    rel = f"{spec.name}/{night.folder.name}/{mf.name}"
    if night.problem:
        return _reject(con, spec, night, rel, "", mf, night.problem, None, summary)
    if why := outside_reason(night.folder, mf.name):      # _landing already rejected the night; never open it
        return _reject(con, spec, night, rel, "", mf, f"the manifest entry {why}", None, summary)
    path = night.folder / mf.name
    if not path.is_file():
        return _reject(con, spec, night, rel, "", mf, "listed in the manifest but not delivered", None, summary)
    sha = sha256_of(path)
    current = _current_sha(con, rel)
    if sha == current or (current is None and _already_loaded(con, spec, night, sha)):
        summary.files_skipped += 1
        summary.messages.append(f"{spec.name} {rel}: already loaded (sha256 {sha[:12]}…), skipped")
        return
    try:
        if not mf.sha256:
            raise FileRejected("the manifest gives no sha256 for this file")
        try:
            data = read_bytes(path)
        except FileRejected as e:
            also = "; its sha256 also differs from the manifest" if sha != mf.sha256.lower() else ""
            raise FileRejected(f"{e}{also}") from None
        if sha != mf.sha256.lower():
            raise FileRejected(f"sha256 {sha} does not match the manifest's {mf.sha256}")
        check_encoding(data)
        positions = None
        if spec.format == "csv":
            if not data.strip() and not mf.rows:            # an empty file: loaded as 0 rows, said so
                data, positions = b"", {col: i for i, col in enumerate(spec.header_map.values(), 1)}
            else:
                header, data = split_header(data, spec.delimiter)
                positions = _header_positions(spec, header)
        lines = lines_table(data)
        if mf.rows is not None and lines.num_rows != mf.rows:
            raise FileRejected(f"{lines.num_rows} rows in the file, {mf.rows} in the manifest")
    except FileRejected as e:
        return _reject(con, spec, night, rel, sha, mf, str(e), e.field, summary)
    try:
        _load_lines(con, spec, night, rel, sha, mf, lines, positions, summary, replaces=current)
    except duckdb.Error as e:
        raise LoadFailed(f"{spec.name} {rel}: the load failed and was rolled back ({_scrubbed(e)})") from None


def _current_sha(con, rel: str) -> str | None:
    """The sha256 of the delivery of this file that is in raw now (None: never loaded)."""
    row = con.execute("select file_sha256 from raw.load_log where file_name = ? and status = 'loaded' "
                      "order by loaded_at desc limit 1", [rel]).fetchone()
    return row[0] if row else None


def _retract(con, spec: SourceSpec, rel: str) -> int:
    """Take a delivery's rows out of raw (inside the caller's transaction); the count retracted."""
    n = con.execute(f"delete from {spec.table} where _file = ?", [rel]).fetchone()[0]
    con.execute("delete from raw.quarantine where file_name = ?", [rel])
    con.execute("update raw.load_log set status = 'superseded' where file_name = ? and status = 'loaded'", [rel])
    return n


def _retract_unlisted(con, spec: SourceSpec, night: Night, summary: LoadSummary) -> None:
    """A re-delivered night replaces the earlier one whole: files it no longer lists go, and so do
    the rejections of files (or of a manifest) it no longer lists: they no longer hold it back."""
    listed = [f"{spec.name}/{night.folder.name}/{f.name}" for f in night.files]
    con.execute("""update raw.load_log set status = 'withdrawn'
                   where source = ? and extract_date = ? and status = 'rejected'
                     and not list_contains(?::varchar[], file_name)""", [spec.name, night.extract_date, listed])
    gone = con.execute("""select file_name, file_sha256 from raw.load_log
                          where source = ? and extract_date = ? and status = 'loaded'
                            and not list_contains(?::varchar[], file_name)""",
                       [spec.name, night.extract_date, listed]).fetchall()
    for rel, sha in gone:
        con.begin()
        try:
            n = _retract(con, spec, rel)
            message = (f"correction: the re-delivered manifest of {spec.name} {night.folder.name} no longer lists "
                       f"this file; its {n} rows retracted")
            con.execute(f"insert into raw.load_log ({LOG_COLUMNS}) values (?, ?, ?, ?, null, 0, 0, 'retracted', ?,"
                        " now()::timestamp, 0, ?, ?)", [spec.name, night.extract_date, rel, sha, message, sha, n])
            con.commit()
        except BaseException:
            con.rollback()
            raise
        summary.rows_retracted += n
        summary.messages.append(f"{spec.name} {rel}: {message}")


def _log_empty_night(con, spec: SourceSpec, night: Night, summary: LoadSummary) -> None:
    """A manifest that lists no file: an empty night, said so once in the load log."""
    rel = f"{spec.name}/{night.folder.name}/{MANIFEST}"
    message = "the manifest lists no files: an empty night, nothing to load"
    summary.messages.append(f"{spec.name} {rel}: {message}")
    if not con.execute("select count(*) from raw.load_log where file_name = ? and status = 'empty'", [rel]).fetchone()[0]:
        con.execute(f"insert into raw.load_log ({LOG_COLUMNS}) values (?, ?, ?, '', 0, 0, 0, 'empty', ?,"
                    " now()::timestamp, 0, null, 0)", [spec.name, night.extract_date, rel, message])


def _header_positions(spec: SourceSpec, header: list[str]) -> dict[str, int]:
    """Canonical column -> 1-based position in this file's header (columns may come in any order)."""
    missing = [h for h in spec.header_map if h not in header]
    if missing:
        unexpected = [h for h in header if h not in spec.header_map]
        extra = f"; unexpected header(s) {unexpected}" if unexpected else ""
        raise FileRejected(
            f"header does not match mapping {spec.mapping_file or spec.name}: missing {missing}{extra}"
            f" (found {header})", field=missing[0])
    return {col: header.index(h) + 1 for h, col in spec.header_map.items()}


def _already_loaded(con, spec: SourceSpec, night: Night, sha: str) -> bool:
    same_night = f" and extract_date = {lit(night.extract_date.isoformat())}" if spec.snapshot else ""
    return bool(con.execute(
        f"select count(*) from raw.load_log where source = ? and file_sha256 = ? and status = 'loaded'{same_night}",
        [spec.name, sha]).fetchone()[0])


def ways_out(source: str, night: str) -> str:
    """What an operator can do about a rejected file (the waiver is `svcindex waive`, issue 9b)."""
    return (f"publication is held back until either {source} re-delivers night {night} (corrected files and a new "
            f"{MANIFEST}), or an operator records a waiver: "
            f'svcindex waive --source {source} --night {night} --reason "..."')


def _reject(con, spec, night, rel, sha, mf, reason, field_name, summary) -> None:
    """The whole file refused: logged once in raw.load_log (status 'rejected', the reason in
    `message`), a file-level quarantine row, and a message naming the file, why and what to do."""
    message = f"{spec.name} {rel} (whole file) rejected: {reason}. {ways_out(spec.name, night.folder.name)}"
    summary.files_rejected += 1
    summary.messages.append(message)
    summary.rejections.append(message)
    seen = con.execute(
        "select count(*) from raw.load_log where file_name = ? and file_sha256 = ? and status = 'rejected'"
        " and message = pii_redact(?)", [rel, sha, reason]).fetchone()[0]
    if seen:
        return
    con.begin()
    try:
        con.execute(f"insert into raw.load_log ({LOG_COLUMNS}) values (?, ?, ?, ?, ?, 0, 0, 'rejected', pii_redact(?),"
                    " now()::timestamp, 0, null, 0)", [spec.name, night.extract_date, rel, sha,
                                                       mf.rows, reason])
        con.execute("insert into raw.quarantine values (?, ?, ?, null, ?, pii_redact(?), null, now()::timestamp)",
                    [spec.name, night.extract_date, rel, field_name, reason])
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _reference_dates(con, spec: SourceSpec, night: Night, summary: LoadSummary, rel: str) -> dict[str, str]:
    """For each reference source: the latest snapshot on or before the night (else the earliest
    after it). Creates `_ref_<source>(code)`. A source with no snapshot at all is not checked."""
    out = {}
    for src in sorted({r.source for r in spec.refs}):
        col = next(r.column for r in spec.refs if r.source == src)
        # fetchall, not fetchone: DuckDB 2 refuses `register` on a connection with an unfinished result
        [[d]] = con.execute(
            f"select coalesce(max(_extract_date) filter (where _extract_date <= ?), min(_extract_date)) from raw.{src}",
            [night.extract_date]).fetchall()
        if d is None:
            summary.messages.append(f"{spec.name} {rel}: no {src} snapshot loaded, its codes are not checked")
            continue
        con.execute(f"create or replace temp table _ref_{src} as "
                    f"select distinct {col} as code from raw.{src} where _extract_date = ?", [d])
        out[src] = d.isoformat()
    return out


def _load_lines(con, spec, night, rel, sha, mf, lines, positions, summary: LoadSummary,
                replaces: str | None = None) -> None:
    d = lit(night.extract_date.isoformat())
    cols = ", ".join(f.name for f in spec.fields)
    con.begin()
    try:
        retracted = _retract(con, spec, rel) if replaces else 0
        refs = _reference_dates(con, spec, night, summary, rel)
        con.register("_lines", lines)
        con.execute(defects_table(spec, refs, positions, night.latest_plausible.strftime("%Y-%m-%d %H:%M:%S")))
        con.unregister("_lines")
        bad_rows, total = con.execute("select count(*) filter (where len(_defects) > 0), count(*) from _t").fetchone()
        shown = []
        if bad_rows:
            con.execute(f"""
                insert into raw.quarantine
                select {lit(spec.name)}, {d}::date, {lit(rel)}, line_no, q.field, pii_redact(q.reason),
                       {WITHHELD_OR_REDACTED}, now()::timestamp
                from (select line_no, line, unnest(_defects) as q from _t where len(_defects) > 0)""")
            shown = con.execute(f"""
                select line_no, q.field, pii_redact(q.reason)
                from (select line_no, unnest(_defects) as q from _t where len(_defects) > 0)
                order by line_no, q.field limit {MESSAGES_PER_FILE + 1}""").fetchall()
        con.execute(f"""
            create or replace temp table _good as
            select line_no, {output_columns(spec)} from _t where len(_defects) = 0
            qualify row_number() over (partition by {', '.join(spec.key)} order by line_no) = 1""")
        inserted = con.execute(f"""
            insert into {spec.table} ({cols}, _file, _line, _extract_date, _loaded_at)
            select {cols}, {lit(rel)}, line_no, {d}::date, now()::timestamp from _good g
            where not exists (select 1 from {spec.table} r where {_already_in_raw(con, spec, d)})""").fetchone()[0]
        duplicates = total - bad_rows - inserted
        status_msg = (f"{inserted} rows loaded, {bad_rows} quarantined, {duplicates} duplicate versions dropped"
                      + (" (an empty file)" if total == 0 else "")
                      + (f"; codes checked against {refs}" if refs else ""))
        if replaces:
            status_msg = (f"correction: replaces the delivery with sha256 {replaces} by sha256 {sha} "
                          f"({retracted} rows retracted); {status_msg}")
        con.execute(f"insert into raw.load_log ({LOG_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, 'loaded', ?,"
                    " now()::timestamp, ?, ?, ?)",
                    [spec.name, night.extract_date, rel, sha, mf.rows, inserted, bad_rows, status_msg, duplicates,
                     replaces, retracted])
        con.execute("drop table _t; drop table _good")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    summary.files_loaded += 1
    summary.rows_loaded += inserted
    summary.rows_quarantined += bad_rows
    summary.rows_duplicate += duplicates
    summary.rows_retracted += retracted
    summary.messages.append(f"{spec.name} {rel}: {status_msg}")
    for line_no, fld, reason in shown[:MESSAGES_PER_FILE]:
        where = f"line {line_no}" + (f" field {fld}" if fld else "")
        summary.messages.append(f"{spec.name} {rel} {where}: {reason}")
    if len(shown) > MESSAGES_PER_FILE:
        summary.messages.append(f"{spec.name} {rel}: more quarantined lines in raw.quarantine")


def _already_in_raw(con, spec: SourceSpec, night_literal: str) -> str:
    """Join condition to versions already in raw, narrowed so the scan stays proportional to the
    file: snapshots only look at the same night; versions only at their key's timestamp range
    (min/max of this file, as literals, so DuckDB's zone maps skip older row groups)."""
    cond = [f"r.{k} is not distinct from g.{k}" for k in spec.key]
    if spec.snapshot:
        cond.append(f"r._extract_date = {night_literal}::date")
    else:
        ts = next((k for k in spec.key if spec.get(k).kind == "ts"), None)
        if ts:
            lo, hi = con.execute(f"select min({ts}), max({ts}) from _good").fetchone()
            if lo is not None:
                cond.append(f"(r.{ts} between {lit(str(lo))}::timestamp and {lit(str(hi))}::timestamp or r.{ts} is null)")
    return " and ".join(cond)
