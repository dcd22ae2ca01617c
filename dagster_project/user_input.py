"""A person's input checked against what exists, so that a wrong one ends in a sentence.

Every check raises `UsageProblem` (exit code 2: change the command) or `Failure` (exit code 1:
the command was right, the state is not — nothing published yet, another run holds the
warehouse) with one or two lines that name what is wrong and what exists instead: the published
months, the nearest unit codes, the criteria, the period formats.
"""
from __future__ import annotations

import csv
import difflib
import re
from datetime import date
from pathlib import Path

from .settings import SEEDS_DIR

PERIOD_FORMATS = "YYYY-MM (2026-10), YYYY-Qn (2026-Q4), YYYY-Hn (2026-H2), YYYY (2026) or YYYY-YTD (2026-YTD)"
PERIOD_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-H[12]|-YTD)?$")
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class UsageProblem(Exception):
    """The command names something malformed or absent; the message says what exists."""
    exit_code = 2


class Failure(Exception):
    """The command is right but cannot be done now; the message says what to do."""
    exit_code = 1


def nearest(value: str, choices, n: int = 3) -> list[str]:
    choices = sorted(set(choices))
    close = difflib.get_close_matches(value, choices, n=n, cutoff=0.5)
    if not close:  # a prefix is the usual slip with hierarchical codes (H44 -> H44.07)
        close = [c for c in choices if c.startswith(value[:3])][:n]
    return close


def listing(values, limit: int = 12) -> str:
    values = list(values)
    shown = ", ".join(map(str, values[:limit]))
    return shown + (f", … ({len(values)} in all)" if len(values) > limit else "")


def parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise UsageProblem(f"{option} {value!r} is not a date; use YYYY-MM-DD, e.g. 2026-10-31") from None


def rule_versions() -> list[str]:
    """The rule versions the rulebook seeds declare (seeds/rulebook_criteria.csv)."""
    with (SEEDS_DIR / "rulebook_criteria.csv").open(encoding="utf-8") as f:
        return sorted({row["rule_version"] for row in csv.DictReader(f)})


def check_rule_version(value: str | None, option: str = "--rule-version") -> str | None:
    if value is not None and value not in rule_versions():
        raise UsageProblem(f"{option} {value!r} is not in the rulebook; rule versions: {listing(rule_versions())}")
    return value


def parse_nights(value: str, landed: list[str]) -> tuple[str, str]:
    """FIRST:LAST → (first, last), both dates, in order, and covering at least one landed night."""
    parts = value.split(":")
    if len(parts) != 2:
        raise UsageProblem(f"--nights {value!r}: use FIRST:LAST, e.g. 2026-10-01:2026-10-31")
    first, last = (parse_date(p, "--nights") for p in parts)
    if last < first:
        raise UsageProblem(f"--nights {value!r}: the last night is before the first")
    inside = [n for n in landed if first.isoformat() <= n <= last.isoformat()]
    if landed and not inside:
        raise UsageProblem(f"--nights {value!r}: no complete night landed in that range; "
                           f"landed: {landed[0]} → {landed[-1]} ({len(landed)} nights)")
    return first.isoformat(), last.isoformat()


# -- the published file ------------------------------------------------------------------------

def require_published(published: Path) -> None:
    if not published.exists():
        raise Failure(f"nothing is published yet: {published} does not exist.\n"
                      "Run `svcindex run` on extracts in landing/ (or `svcindex demo`) first.")


def published_months(con) -> list[str]:
    return [r[0] for r in con.execute(
        "select distinct period from unit_scores where period_type = 'month' order by period").fetchall()]


def check_month(con, month: str, option: str = "--month") -> str:
    months = published_months(con)
    if not MONTH_RE.match(month or ""):
        raise UsageProblem(f"{option} {month!r} is not a month; use YYYY-MM. Published months: {listing(months)}")
    if month not in months:
        raise UsageProblem(f"{option} {month}: no scores published for that month. "
                           f"Published months: {listing(months) or 'none'}")
    return month


def check_unit(con, unit: str, period: str | None = None, option: str = "--unit") -> str:
    codes = [r[0] for r in con.execute("select distinct unit_code from unit_scores").fetchall()]
    if unit not in codes:
        close = nearest(unit, codes)
        raise UsageProblem(f"{option} {unit!r} is not a published unit code"
                           + (f"; nearest: {', '.join(close)}" if close else "")
                           + f" ({len(codes)} units; list them with `svcindex sql \"select unit_code, unit_name from units\"`)")
    if period is not None:
        periods = [r[0] for r in con.execute(
            "select distinct period from unit_scores where unit_code = ? order by period", [unit]).fetchall()]
        if period not in periods:
            raise UsageProblem(f"unit {unit} has no score for {period}; its periods: {listing(periods) or 'none'}")
    return unit


def check_criterion(con, criterion: str, option: str = "--criterion") -> str:
    codes = [r[0] for r in con.execute("select distinct criterion_code from criteria order by 1").fetchall()]
    if criterion not in codes:
        close = nearest(criterion.upper(), codes)
        raise UsageProblem(f"{option} {criterion!r} is not a criterion"
                           + (f"; nearest: {', '.join(close)}" if close else "")
                           + f". Criteria: {', '.join(codes)}")
    return criterion


def check_period(con, period: str, option: str = "--period") -> str:
    periods = [r[0] for r in con.execute(
        "select distinct period from unit_scores order by period_type, period").fetchall()]
    if not PERIOD_RE.match(period or ""):
        raise UsageProblem(f"{option} {period!r} is not a period; use {PERIOD_FORMATS}")
    if period not in periods:
        raise UsageProblem(f"{option} {period}: nothing published for that period; published periods: "
                           f"{listing(periods) or 'none'}")
    return period
