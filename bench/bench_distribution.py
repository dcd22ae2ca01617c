"""Shape of the scores per level, next to the published figures (rulebook §5a), for calibrating
the simulator: simulate a month, run the real nightly job on it, print the distribution.

    .venv/bin/python bench/bench_distribution.py [--provinces H44,H55,H01,...|all] [--month 2026-10]
        [--scale 0.01] [--home DIR] [--reuse | --landed]

`--provinces all` is the national run (34 provinces, ~20 ministries; heavy: see the README's
benchmarks). The default is a sample of six provinces of different sizes and both agency
systems, which a shared 2-core machine runs in a few minutes. Only rated units count (an idle
unit has no total); unrated units are reported per level. A second table gives the mean points of
each criterion per level: where the totals lose their points.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLE = ["H01", "H26", "H31", "H44", "H55", "H62"]

# rulebook §5a / §6: what the portal published (a sanity range, not a test)
PUBLISHED = {
    "BO": "ministries: no published range in the rulebook",
    "TINH": "provinces mostly 80–92 (2025 YTD: 80.9–91.7, mean 86.5)",
    "SO": "departments mostly 70–92 (73–92), a few far below",
    "XA": "communes around 85–93 (one province's mean ≈ 91), with a tail",
    "DON_VI": "ministry units: no published range",
}
LEVELS = ["BO", "TINH", "SO", "XA", "DON_VI"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--provinces", default=",".join(SAMPLE), help="comma list of Hnn codes, or 'all'")
    ap.add_argument("--month", default="2026-10")
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--home", default=None, help="SVCINDEX_HOME to use (default: a temp dir)")
    ap.add_argument("--reuse", action="store_true", help="skip simulate + run; read the home's publication")
    ap.add_argument("--landed", action="store_true", help="skip simulate: run on the home's landing files as they are")
    args = ap.parse_args(argv)

    home = Path(args.home or tempfile.mkdtemp(prefix="svcindex_dist_")).resolve()
    os.environ["SVCINDEX_HOME"] = str(home)
    os.environ.setdefault("DAGSTER_HOME", str(home / "dagster"))
    from dagster_project.cli import prepare_environment, run_nightly

    prepare_environment()
    first = date.fromisoformat(args.month + "-01")
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    provinces = None if args.provinces == "all" else args.provinces.split(",")
    if not args.reuse:
        from dagster_project.simulate import simulate
        from dagster_project.settings import home as settings_home

        t0 = time.perf_counter()
        if not args.landed:
            simulate(settings_home().landing, first, last, scale=args.scale, seed=7, provinces=provinces)
        t1 = time.perf_counter()
        result = run_nightly(log_level="WARNING")
        t2 = time.perf_counter()
        print(f"simulate {t1 - t0:.0f} s, run {t2 - t1:.0f} s, home {home}")
        if not result.success:
            print("the nightly run failed; see above")
            return 1
    published = home / "published" / "svcindex.duckdb"
    print(distribution(published, args.month, provinces))
    print()
    print(criteria(published, args.month))
    return 0


def distribution(published: Path, month: str, provinces: list[str] | None) -> str:
    import duckdb

    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute("""
            select unit_type, count(*) filter (where rated) as rated, count(*) filter (where not rated) as unrated,
                   min(total), quantile_cont(total, 0.10), quantile_cont(total, 0.25), median(total), avg(total),
                   quantile_cont(total, 0.75), quantile_cont(total, 0.90), max(total),
                   count(*) filter (where band = 'Yếu')
            from unit_scores
            where period_type = 'month' and period = ?
              and as_of_date = (select max(as_of_date) from unit_scores where period = ?)
            group by unit_type""", [month, month]).fetchall()
        coverage = con.execute("""select bool_and(coverage_complete) from unit_scores
                                  where period_type = 'month' and period = ?""", [month]).fetchone()[0]
    by_level = {r[0]: r for r in rows}
    scope = "national" if provinces is None else f"{len(provinces)} provinces ({','.join(provinces)})"
    lines = [f"Scores per level, {month} ({scope}; month covered whole: {coverage})",
             f"{'level':7s} {'rated':>6s} {'unrated':>7s} {'min':>6s} {'p10':>6s} {'p25':>6s} {'median':>6s} "
             f"{'mean':>6s} {'p75':>6s} {'p90':>6s} {'max':>6s} {'Yếu':>5s}  published (rulebook §5a)"]
    for level in LEVELS:
        r = by_level.get(level)
        if r is None:
            continue
        nums = " ".join("     —" if v is None else f"{v:6.2f}" for v in r[3:11])
        lines.append(f"{level:7s} {r[1]:6d} {r[2]:7d} {nums} {r[11]:5d}  {PUBLISHED[level]}")
    return "\n".join(lines)


def criteria(published: Path, month: str) -> str:
    """Mean points of each scored criterion per level over the rated units: where the totals lose
    their points (what the simulator's behaviour parameters are calibrated on)."""
    import duckdb

    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute("""
            select c.criterion_code, any_value(c.max_points) as max_points, c.unit_type, avg(c.points)
            from criterion_scores c
            join unit_scores u using (unit_code, period_type, period, rule_version, as_of_date)
            where c.period_type = 'month' and c.period = ? and u.rated and c.max_points > 0
              and c.as_of_date = (select max(as_of_date) from unit_scores where period = ?)
            group by c.criterion_code, c.unit_type""", [month, month]).fetchall()
    means = {(r[0], r[2]): r[3] for r in rows}
    maxima = {r[0]: r[1] for r in rows}
    levels = [lv for lv in LEVELS if any(k[1] == lv for k in means)]
    order = sorted(maxima, key=lambda c: (c.split(".")[0] != "CKMB", c))
    lines = [f"Mean points per criterion over the rated units ({month})",
             f"{'criterion':9s} {'max':>4s} " + " ".join(f"{lv:>6s}" for lv in levels)]
    for code in order:
        cells = " ".join("     —" if means.get((code, lv)) is None else f"{means[(code, lv)]:6.2f}" for lv in levels)
        lines.append(f"{code:9s} {maxima[code]:4.0f} {cells}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
