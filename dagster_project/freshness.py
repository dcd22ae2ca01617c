"""Freshness of the landing sources: how old the newest complete extract of each is."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from .sources._landing import VN, nights as landing_nights   # the confined manifest reader

FRESHNESS_LIMIT = timedelta(hours=36)


def latest_extract(landing: Path, source: str) -> datetime | None:
    """window_end of the newest complete night of a source, as an aware datetime."""
    ends = [n.window_end for n in landing_nights(landing, source)[0] if n.window_end and not n.problem]
    return ends[-1].replace(tzinfo=VN) if ends else None


def freshness_verdict(landing: Path, source: str, now: datetime) -> tuple[bool, str]:
    """(fresh, why): a source with no extract window ending in the last 36 hours is stale."""
    latest = latest_extract(landing, source)
    if latest is None:
        return False, f"{source}: no complete extract has ever landed"
    age = now - latest
    hours = age.total_seconds() / 3600
    if age > FRESHNESS_LIMIT:
        return False, f"{source}: latest extract window ended {latest.isoformat()} — {hours:.1f} h ago (> 36 h)"
    return True, f"{source}: latest extract window ended {latest.isoformat()} — {hours:.1f} h ago"
