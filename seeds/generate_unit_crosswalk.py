"""Writes ref_unit_crosswalk.csv: pre-1 July 2025 provinces and communes -> post-reform units.

Generated from the `vietnamadminunits` package's own conversion data (dagster_project/crosswalk.py),
never edited by hand; dbt cannot import Python, so the CSV is committed like ref_holidays.csv.
Run again after upgrading vietnamadminunits: .venv/bin/python seeds/generate_unit_crosswalk.py
"""
from pathlib import Path

from dagster_project.crosswalk import crosswalk_frame

if __name__ == "__main__":
    out = Path(__file__).with_name("ref_unit_crosswalk.csv")
    frame = crosswalk_frame()
    frame.to_csv(out, index=False, lineterminator="\n")
    print(f"{out}: {len(frame)} rows, {frame.old_unit_code.nunique()} old units")
