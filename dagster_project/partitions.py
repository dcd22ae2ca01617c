"""The nightly and monthly partitions of the jobs, in Vietnam time."""
from __future__ import annotations

from pathlib import Path

import dagster as dg

from .settings import home
from .sources import complete_nights

VN_TZ = "Asia/Ho_Chi_Minh"

# Before any night has landed the partitions start with the current administrative map (34
# provinces since 1 July 2025): no unit directory we load describes an earlier night.
EARLIEST_NIGHT = "2025-07-01"


def first_night(landing: Path) -> str:
    """The first complete night under landing/, read when the definitions load.

    Partitions start there, not at a fixed date: the UI then shows every delivered night and,
    as "missing", only nights that should have been delivered since. Time-window partitions (not
    dynamic ones) keep a night that never arrived visible as a gap, keep the 01:30 schedule and
    let a range of nights run as one run. The UI picks up an earlier first night on reload."""
    nights = complete_nights(landing)
    return nights[0] if nights else EARLIEST_NIGHT


# One partition per extract night; the night of D is delivered after midnight, so the 01:30
# schedule on D+1 runs partition D.
FIRST_NIGHT = first_night(home().landing)
nightly_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_NIGHT, timezone=VN_TZ)
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=FIRST_NIGHT[:8] + "01", timezone=VN_TZ)
