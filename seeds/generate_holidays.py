"""Writes ref_holidays.csv: Vietnamese public holidays (incl. lunar ones and substitute days).

dbt cannot import Python, so the calendar is generated here and the CSV is committed; it spans
2000–2099 (the `holidays` package computes the lunar holidays for any year).
Run: .venv/bin/python seeds/generate_holidays.py [first_year last_year]
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import holidays

# Wide enough for any history the portal holds and decades of as-of dates; int_calendar spans
# exactly these years and the dbt test assert_calendar_covers_data fails a run that leaves them.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def main(first: int = FIRST_YEAR, last: int = LAST_YEAR) -> Path:
    out = Path(__file__).with_name("ref_holidays.csv")
    days = holidays.Vietnam(years=range(first, last + 1))
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["holiday_date", "holiday_name"])
        for day, name in sorted(days.items()):
            w.writerow([day.isoformat(), name])
    return out


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    print(main(*args))
