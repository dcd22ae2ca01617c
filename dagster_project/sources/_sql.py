"""SQL generated from a SourceSpec: extract every field as text, type it, list its defects.

One statement per file builds `_t`: line_no, line, s_<field> (as delivered, trimmed),
<field> (typed) and `_defects`, a list of {field, reason} that is empty for a good record.
"""
from __future__ import annotations

import re

from ._pseudonymise import PERSONAL_FIELDS
from ._spec import EARLIEST_PLAUSIBLE, Field, SourceSpec

_STRFTIME_LABEL = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss"}


def lit(v) -> str:
    """A SQL literal for a str/int (declarations and file names only, never record data)."""
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


def ts_label(fmt: str) -> str:
    for k, v in _STRFTIME_LABEL.items():
        fmt = fmt.replace(k, v)
    return fmt


def codes_label(codes: tuple) -> str:
    if all(isinstance(c, int) for c in codes) and list(codes) == list(range(min(codes), max(codes) + 1)):
        return f"{min(codes)}..{max(codes)}"
    return ", ".join(str(c) for c in codes)


# --- extraction: s_<field> as delivered ------------------------------------------------------

def _json_extract(spec: SourceSpec) -> tuple[str, str]:
    """(select list, format-defect reason) for JSON Lines: one parse per line for all scalars."""
    scalars = [f for f in spec.fields if f.kind != "json"]
    nested = [f for f in spec.fields if f.kind == "json"]
    # CASE, not AND: DuckDB evaluates both sides of AND, and JSON functions throw on bad input.
    valid = "select line_no, line, case when json_valid(line) then json_type(line) = 'OBJECT' else false end as _ok from l"
    cols = []
    texts = [f for f in scalars if f.kind == "text"]
    if scalars:
        paths = ", ".join(lit(f"$.{f.name}") for f in scalars)
        cols.append(f"case when _ok then json_extract_string(line, [{paths}]) end as _s")
    if texts:
        paths = ", ".join(lit(f"$.{f.name}") for f in texts)
        cols.append(f"case when _ok then json_type(line, [{paths}]) end as _jt")
    if nested:
        paths = ", ".join(lit(f"$.{f.name}") for f in nested)
        cols.append(f"case when _ok then json_extract(line, [{paths}]) end as _j")
    inner = ", ".join(["line_no", "line", "_ok", *cols])
    outer = ["line_no", "line", "_ok"]
    outer += [f"nullif(trim(_s[{i}]), '') as s_{f.name}" for i, f in enumerate(scalars, 1)]
    outer += [f"coalesce(_jt[{i}], 'NULL') as t_{f.name}" for i, f in enumerate(texts, 1)]
    outer += [f"case when json_type(_j[{i}]) <> 'NULL' then _j[{i}] end as s_{f.name}"
              for i, f in enumerate(nested, 1)]
    reason = "case when json_valid(line) then 'line is a JSON value but not an object' else 'not valid JSON' end"
    return f"select {', '.join(outer)} from (select {inner} from ({valid}))", reason


def _csv_extract(spec: SourceSpec, positions: dict[str, int]) -> tuple[str, str]:
    """Quote-aware split in SQL: a field is "..." (with "" escapes) or runs to the delimiter."""
    d = re.escape(spec.delimiter)
    pattern = f'("(?:[^"]|"")*"|[^{d}"]*){d}'
    n = len(positions)
    cols = ["line_no", "line", f"len(_f) = {n} as _ok", "len(_f) as _nfields"]
    for f in spec.fields:
        if f.name in spec.constants:
            cols.append(f"{lit(spec.constants[f.name])} as s_{f.name}")
            continue
        if f.name not in positions:
            cols.append(f"null::varchar as s_{f.name}")     # the mapping leaves this optional column out
            continue
        v = f"_f[{positions[f.name]}]"
        v = f"nullif(trim(case when starts_with({v}, '\"') then replace({v}[2:-2], '\"\"', '\"') else {v} end), '')"
        if vm := spec.value_maps.get(f.name):
            whens = " ".join(f"when {lit(k)} then {lit(val)}" for k, val in vm.items())
            v = f"(case nfc_normalize({v}) {whens} else {v} end)"
        cols.append(f"{v} as s_{f.name}")
    cols += [f"'VARCHAR' as t_{f.name}" for f in spec.fields if f.kind == "text"]
    inner = f"select *, regexp_extract_all(line || {lit(spec.delimiter)}, {lit(pattern)}, 1) as _f from l"
    reason = f"'expected {n} fields separated by ' || {lit(spec.delimiter)} || ', found ' || _nfields"
    return f"select {', '.join(cols)} from ({inner})", reason


# --- typing ------------------------------------------------------------------------------------

def _typed(spec: SourceSpec, f: Field) -> str:
    s = f"s_{f.name}"
    match f.kind:
        case "text":
            return f"case when t_{f.name} = 'VARCHAR' then nfc_normalize({s}) end"
        case "int" | "bigint":
            t = "integer" if f.kind == "int" else "bigint"
            return (f"case when regexp_full_match({s}, '[+-]?\\d+') then try_cast({s} as {t})"
                    f" when lower({s}) in ('true', 'false') then (lower({s}) = 'true')::{t} end")
        case "double":
            return f"try_cast({s} as double)"
        case "ts":
            formats = "[" + ", ".join(lit(x) for x in spec.ts_formats) + "]"
            parse = f"try_strptime({s}, {formats})"
            return f"case when regexp_full_match({s}, {lit(spec.ts_pattern)}) then {parse} end" if spec.ts_pattern else parse
        case "date":
            return (f"(case when regexp_full_match({s}, '\\d{{14}}') then try_strptime({s}, '%Y%m%d%H%M%S')"
                    f" when regexp_full_match({s}, '\\d{{8}}') then try_strptime({s}, '%Y%m%d')"
                    f" when regexp_full_match({s}, '\\d{{4}}-\\d{{2}}-\\d{{2}}.*') then try_cast(left({s}, 10) as date) end)::date")
        case "month":
            return f"(case when regexp_full_match({s}, '\\d{{4}}-\\d{{2}}') then try_strptime({s} || '-01', '%Y-%m-%d') end)::date"
        case "json":
            shape = "ARRAY" if f.json_type.rstrip().endswith("]") else "OBJECT"
            return f"case when json_type({s}) = '{shape}' then try_cast({s} as {f.json_type}) end"
    raise ValueError(f"{spec.name}.{f.name}: unknown kind {f.kind!r}")


_JSON_NOUN = "case json_type({s}) when 'VARCHAR' then 'a string' when 'OBJECT' then 'an object' " \
             "when 'ARRAY' then 'an array' when 'BOOLEAN' then 'a boolean' else 'a number' end"


def _type_error(spec: SourceSpec, f: Field) -> str:
    s = f"s_{f.name}"
    if f.name in PERSONAL_FIELDS:       # its value is personal data: say what shape came, never what
        return f"'{f.name} is not a JSON {f.json_type or 'string'}: got ' || {_JSON_NOUN.format(s=s)} || ' (personal data, not shown)'"
    if f.kind == "text":
        noun = "case t_{n} when 'OBJECT' then 'an object' when 'ARRAY' then 'an array' when 'BOOLEAN' then 'a boolean' " \
               "else 'a number' end".format(n=f.name)
        return (f"'{f.name} must be a JSON string, got ' || {noun} || ' ' || left({s}, 80) "
                f"|| ' (not converted: a code sent as a number loses its digits)'")
    what = {
        "int": "an integer", "bigint": "an integer", "double": "a number",
        "ts": f"a date-time {'/'.join(ts_label(x) for x in spec.ts_formats)}",
        "date": "a date (yyyyMMdd)", "month": "a month (yyyy-MM)", "json": f"a JSON {f.json_type}",
    }[f.kind]
    shown = f"left({s}::varchar, 80)"
    return f"'{f.name} is not {what}: ' || {shown}"


# --- defects -------------------------------------------------------------------------------------

def _defect(field: str, bad: str, reason: str) -> str:
    return f"case when {bad} then {{'field': {lit(field)}, 'reason': {reason}}} end"


def _defects(spec: SourceSpec, refs: dict[str, str], latest: str) -> list[str]:
    """refs: reference source -> its snapshot date, for the refs that can be checked;
    latest: SQL timestamp literal, the latest plausible moment of an event of this night."""
    out: list[str] = []
    for f in spec.fields:
        s = f"s_{f.name}"
        if f.required:
            out.append(_defect(f.name, f"{s} is null", f"'required field {f.name} is missing'"))
        out.append(_defect(f.name, f"{s} is not null and {f.name} is null", _type_error(spec, f)))
        if f.when:
            t = f"{f.name}::timestamp"
            out.append(_defect(f.name, f"{t} < timestamp '{EARLIEST_PLAUSIBLE}'",
                               f"'{f.name} ' || s_{f.name} || ' is before {EARLIEST_PLAUSIBLE[:4]}: implausible'"))
        if f.when == "event":
            out.append(_defect(f.name, f"{t} > {latest}",
                               f"'{f.name} ' || s_{f.name} || ' is later than the extract window allows "
                               f"(window end + 1 day = ' || strftime({latest}, '%Y-%m-%d %H:%M:%S') || '): implausible'"))
        if f.codes is not None:
            values = ", ".join(lit(c) for c in f.codes)
            out.append(_defect(f.name, f"{f.name} not in ({values})",
                               f"'{f.name} ' || {f.name} || ' is outside its code list ({codes_label(f.codes)})'"))
    for a, b in spec.not_after:
        out.append(_defect(b, f"{a} > {b}",
                           f"'dates run backwards: {a} ' || s_{a} || ' is after {b} ' || s_{b}"))
    for r in spec.refs:
        if r.source in refs:
            out.append(_defect(r.field, f"{r.field} is not null and not _known_{r.field}",
                               f"'unknown {r.noun} ' || {r.field} || ' (not in {r.source} of {refs[r.source]})'"))
    for c in spec.checks:
        out.append(_defect(c.field, c.bad, c.reason))
    return out


def defects_table(spec: SourceSpec, refs: dict[str, str], positions: dict[str, int] | None = None,
                  latest: str | None = None) -> str:
    """The statement creating `_t` from the registered `_lines` (line_no, line);
    `latest`: 'YYYY-MM-DD HH:MM:SS', no event of the file may be later (window end + 1 day)."""
    latest = f"timestamp {lit(latest or '9999-12-31 00:00:00')}"
    extract, format_reason = _csv_extract(spec, positions) if spec.format == "csv" else _json_extract(spec)
    typed = ", ".join(f"{_typed(spec, f)} as {f.name}" for f in spec.fields)
    known = "".join(f", {r.field} in (select code from _ref_{r.source}) as _known_{r.field}"
                    for r in spec.refs if r.source in refs)
    checks = ",\n            ".join(_defects(spec, refs, latest))
    return f"""
    create or replace temp table _t as
    with l as (select line_no, line from _lines),
         x as ({extract}),
         t as (select *, {typed} from x),
         k as (select *{known} from t)
    select *, case when not _ok then [{{'field': null::varchar, 'reason': {format_reason}}}]
                   else list_filter([
            {checks}
                   ], lambda d: d is not null) end as _defects
    from k"""


def output_columns(spec: SourceSpec) -> str:
    """Typed columns as written to raw: `post` rewrites (PII hashing, NFC inside lists) applied."""
    return ", ".join(f"{f.post.format(v=f.name) if f.post else f.name} as {f.name}" for f in spec.fields)
