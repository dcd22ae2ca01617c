"""Working-day calendar: weekends and Vietnamese public holidays (lunar ones included) are off."""
from __future__ import annotations

from datetime import date, timedelta

import holidays
import pandas as pd

# Relative dossier volume by kind of day: one-stop shops are closed on weekends and holidays,
# online submissions still trickle in.
DAY_FACTOR = {"working": 1.0, "saturday": 0.22, "sunday": 0.08, "holiday": 0.05}
MEAN_DAY_FACTOR = (5 * DAY_FACTOR["working"] + DAY_FACTOR["saturday"] + DAY_FACTOR["sunday"]) / 7


def calendar_frame(first: date, last: date) -> pd.DataFrame:
    """One row per day: d, working, cum (working days up to and including d), day_factor."""
    days = pd.date_range(first, last, freq="D")
    off = holidays.Vietnam(years=range(first.year, last.year + 1))
    holiday = [d.date() in off for d in days]
    weekday = days.weekday
    working = [(wd < 5) and not h for wd, h in zip(weekday, holiday)]
    factor = [
        DAY_FACTOR["holiday"] if h else DAY_FACTOR["saturday"] if wd == 5 else DAY_FACTOR["sunday"] if wd == 6 else DAY_FACTOR["working"]
        for wd, h in zip(weekday, holiday)
    ]
    df = pd.DataFrame({"d": days.date, "working": working, "day_factor": factor})
    df["cum"] = df["working"].cumsum().astype("int32")
    return df


def add_working_days(start: date, n: int) -> date:
    """Reference implementation for tests and docs: the n-th working day after `start`."""
    off = holidays.Vietnam(years=range(start.year, start.year + 2))
    d = start
    while n > 0:
        d += timedelta(days=1)
        if d.weekday() < 5 and d not in off:
            n -= 1
    return d
