"""`svcindex explain`: why a unit scored what it did on one criterion, down to the dossiers.

Reads the published file only (what analysts and the Government Office see). A unit's ratio
counts every dossier under its authority, so dossiers are found through unit_ancestors.
"""
from __future__ import annotations

from pathlib import Path

from .warehouse import connection

# Timeliness flags in dossier_criteria are judged at the month's evaluation date; for a longer
# period a dossier counts as on time while on_time_until reaches that period's evaluation date.
JUDGED_BY_DATE = {"tdgq_1"}


def explain(published: Path, unit: str, period: str, criterion: str, limit: int = 20,
            rule_version: str | None = None) -> str:
    flag = criterion.lower().replace(".", "_")
    with connection(published, read_only=True) as con:
        score = con.execute("""
            select unit_name, period_type, period_start, eval_date, as_of_date, rule_version,
                   numerator, denominator, ratio, points, max_points, policy_applied
            from criterion_scores
            where unit_code = ? and period = ? and criterion_code = ? and rule_version = coalesce(?, rule_version)
            order by as_of_date desc, rule_version desc limit 1""",
                            [unit, period, criterion, rule_version]).fetchone()
        if score is None:
            raise SystemExit(f"no score for unit {unit}, period {period}, criterion {criterion} in {published}")
        (name, period_type, start, eval_date, as_of, version, num, den, ratio, points, max_points, policy) = score
        lines = [
            f"{criterion} for {unit} {name} — {period} ({period_type}, as of {as_of}, rule version {version})",
            f"  numerator   {num}",
            f"  denominator {den}",
            f"  ratio       {'—' if ratio is None else f'{ratio:.4f}'}",
            f"  points      {points:.2f} of {max_points:g}" + (f"  (policy: {policy})" if policy else ""),
        ]
        columns = {r[0] for r in con.execute("select column_name from information_schema.columns "
                                             "where table_name = 'dossier_criteria'").fetchall()}
        if f"{flag}_den" not in columns:
            lines.append(f"\n{criterion} counts procedures or feedback, not dossiers: no dossier list.")
            return "\n".join(lines)
        by_date = flag in JUDGED_BY_DATE and period_type != "month"
        in_numerator = "d.on_time_until >= ?::date" if by_date else f"d.{flag}_num"
        params = [eval_date] if by_date else []
        query = f"""
            select d.dossier_code, d.unit_code, d.procedure_code, d.received_date::date, d.due_date::date,
                   d.finished_at::date, d.timeliness_verdict, d.timeliness_reason
            from dossier_criteria d
            join unit_ancestors a on a.unit_code = d.unit_code and a.ancestor_code = ?
            where d.received_date >= ? and d.received_date < ?::date + 1
              and d.{flag}_den and not coalesce({in_numerator}, false)
            order by d.received_date, d.dossier_code"""
        against = con.execute(query, [unit, start, eval_date, *params]).fetchall()
    lines.append(f"\n{len(against)} dossier(s) in the denominator but not the numerator"
                 + (f"; the first {limit}:" if len(against) > limit else ":"))
    lines.append(f"  {'dossier':28s} {'unit':10s} {'procedure':10s} {'received':10s} {'due':10s} "
                 f"{'ended':10s} why")
    for code, u, proc, received, due, ended, verdict, reason in against[:limit]:
        why = f"{verdict}: {reason}" if flag in ("tdgq_1", "mdhl_3") else f"not in the {criterion} numerator"
        lines.append(f"  {code:28s} {u:10s} {proc or '':10s} {str(received):10s} {str(due or '—'):10s} "
                     f"{str(ended or '—'):10s} {why}")
    return "\n".join(lines)
