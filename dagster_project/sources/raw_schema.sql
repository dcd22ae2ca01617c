-- The raw layer's own tables: the load log, the quarantine and the rejected files. Each source's
-- table is generated from its declaration (sources/_schema.py; print it with
-- `python -m dagster_project.sources._schema`).
-- The raw layer: the landing contract (spec/extracts.md), validated and typed, nothing else.
-- Field names stay the sources' own (Vietnamese PascalCase) until dbt staging renames them.
-- Dates arrive as yyyyMMddHHmmss strings in Vietnam time and are stored as naive TIMESTAMPs
-- in Vietnam time. Personal data (DinhDanhCHS.SoDinhDanh, ChuHoSo.*) is already replaced by a
-- keyed hash here: the warehouse never sees it in clear.
-- Every data table carries the lineage columns _file (path relative to landing/), _line
-- (1-based line in the decompressed file; data line for CSV), _extract_date and _loaded_at.
-- Versioned sources (hoso, pakn) keep every version; staging picks the latest NgayCapNhat.
-- Snapshot sources (coquan, tthc, dvctt) keep every night's snapshot; staging takes the latest.

create schema if not exists raw;

create table if not exists raw.load_log (
    source           varchar not null,
    extract_date     date not null,
    file_name        varchar not null,   -- relative to landing/
    file_sha256      varchar not null,
    rows_in_manifest bigint,
    rows_loaded      bigint,
    rows_quarantined bigint,
    status           varchar not null,   -- loaded | rejected | superseded (replaced by a correction)
                                         -- | retracted (a re-delivered manifest no longer lists it) | empty (no files)
                                         -- | withdrawn (a rejection the re-delivered manifest no longer lists)
    message          varchar,            -- for 'rejected': the reason (personal data already hashed)
    loaded_at        timestamp not null,
    rows_duplicate   bigint,             -- record versions already loaded, dropped (not an error)
    replaces_sha256  varchar,            -- a correction: the sha256 of the delivery it replaced
    rows_retracted   bigint              -- a correction: rows of the replaced delivery taken out of raw
);
alter table raw.load_log add column if not exists rows_duplicate bigint;
alter table raw.load_log add column if not exists replaces_sha256 varchar;
alter table raw.load_log add column if not exists rows_retracted bigint;

-- Files whose latest delivery is rejected now: what holds a night back, and what a waiver
-- (`svcindex waive --source S --night D`) or a re-delivery answers. night = extract_date,
-- file = file_name relative to landing/, reason = the rejection message.
create or replace view raw.rejected_files as
select source, extract_date as night, file_name as file, status, message as reason, file_sha256, loaded_at
from raw.load_log
qualify row_number() over (partition by file_name order by loaded_at desc) = 1 and status = 'rejected';

create table if not exists raw.quarantine (
    source         varchar not null,
    extract_date   date,
    file_name      varchar not null,
    line_no        bigint,              -- null when the whole file is rejected
    field          varchar,             -- null when the whole line/file is bad
    reason         varchar not null,
    raw_text       varchar,             -- the offending line, personal data already hashed
    quarantined_at timestamp not null
);
