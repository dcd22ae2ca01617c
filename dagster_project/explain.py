"""`svcindex explain`: why a unit scored what it did on one criterion, down to the rows behind it.

Reads the published file only (what analysts and the Government Office see). A unit's ratio
counts everything under its authority, so rows are found through unit_ancestors. Every list is
the rows in the denominator but not the numerator, each with the real reason it is out:

- dossier criteria (dossier_criteria): judged at the period's own evaluation date when the verdict
  depends on time (TDGQ.1, MDHL.3), so a quarter or a year is not judged at each month's end;
- PAKN criteria MDHL.1/MDHL.2 (feedback_criteria), judged the same way;
- procedure criteria TTTT.1/TTTT.2/MDSH.6, and CLGQ.1 below the province (unit_procedures,
  procedure_usage): the procedures under the unit's authority that had no qualifying dossier;
- an inherited criterion (CKMB.1–3 below the province) says so and lists its source unit's rows.
"""
from __future__ import annotations

from pathlib import Path

from .warehouse import connection

# Dossier criteria whose numerator is judged at the period's evaluation date (on_time_until).
TIME_JUDGED = {"tdgq_1", "mdhl_3"}

# Why a dossier in the denominator is out of the numerator, for the criteria judged on flags.
DOSSIER_REASONS = {
    "clgq_3": "case when d.channel <> 2 then 'not submitted online (channel ' || cast(d.channel as varchar) || ')'"
              " else 'paper result required, no e-result' end",
    "tttt_3": "'not paid online'",
    "mdsh_1": "'no e-result link'",
    "mdsh_2": "'no digitised component, or paper result required and no e-result'",
    "mdsh_3": "'no re-used digitised component'",
    "mdsh_4": "'nothing taken from or sent to the citizen''s portal document store'",
    "mdsh_5": "'no VNeID-verified account and no population-database lookup'",
}

# Procedure criteria: the denominator's filter on unit_procedures and the usage flag of the numerator.
PROCEDURE_CRITERIA = {
    "TTTT.1": ("p.has_fee", "any_nonzero_fee", "no dossier with a non-zero fee in the period"),
    "TTTT.2": ("p.has_fee", "any_paid_online", "no dossier paid online in the period"),
    "MDSH.6": ("p.serves_citizens", "any_population_data", "no dossier using population data in the period"),
}


def explain(published: Path, unit: str, period: str, criterion: str, limit: int = 20,
            rule_version: str | None = None) -> str:
    flag = criterion.lower().replace(".", "_")
    with connection(published, read_only=True) as con:
        score = con.execute("""
            select c.unit_name, c.unit_type, c.period_type, c.period_start, c.eval_date, c.as_of_date, c.rule_version,
                   c.numerator, c.denominator, c.ratio, c.points, c.max_points, c.policy_applied, c.inherited_from
            from criterion_scores c
            where c.unit_code = ? and c.period = ? and c.criterion_code = ? and c.rule_version = coalesce(?, c.rule_version)
            order by c.as_of_date desc, c.rule_version desc limit 1""",
                            [unit, period, criterion, rule_version]).fetchone()
        if score is None:
            raise SystemExit(f"no score for unit {unit}, period {period}, criterion {criterion} in {published}")
        (name, unit_type, period_type, start, eval_date, as_of, version, num, den, ratio, points, max_points,
         policy, inherited_from) = score
        lines = [
            f"{criterion} for {unit} {name} — {period} ({period_type}, as of {as_of}, rule version {version})",
            f"  numerator   {num}",
            f"  denominator {den}",
            f"  ratio       {'—' if ratio is None else f'{ratio:.4f}'}",
            f"  points      {points:.2f} of {max_points:g}" + (f"  (policy: {policy})" if policy else ""),
        ]
        source = unit
        if inherited_from:
            lines.append(f"  inherited from {inherited_from}: rulebook §5a, {criterion} is scored for the province"
                         " or ministry and shown by every unit under it; the rows below are its.")
            source = inherited_from
        columns = {r[0] for r in con.execute("select column_name from information_schema.columns "
                                             "where table_name = 'dossier_criteria'").fetchall()}
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        if f"{flag}_den" in columns:
            lines += _dossiers(con, flag, criterion, source, start, eval_date, limit)
        elif criterion in ("MDHL.1", "MDHL.2") and "feedback_criteria" in tables:
            lines += _feedback(con, criterion, source, start, eval_date, limit)
        elif (criterion in PROCEDURE_CRITERIA or (criterion == "CLGQ.1" and unit_type not in ("BO", "TINH"))) \
                and "unit_procedures" in tables:
            lines += _procedures(con, criterion, source, start, eval_date, limit)
        elif criterion in ("CKMB.1", "CKMB.2", "CKMB.3", "CLGQ.1") and "procedure_announcements" in tables:
            lines += _announced(con, criterion, source, start, eval_date, limit)
        else:
            lines.append(f"\n{criterion}: no row list is published for it (online services, or dossiers the "
                         "portal never received).")
    return "\n".join(lines)


def _table(header: str, rows: list[tuple], limit: int, noun: str) -> list[str]:
    out = [f"\n{len(rows)} {noun}(s) in the denominator but not the numerator"
           + (f"; the first {limit}:" if len(rows) > limit else ":"), header]
    return out


def _dossiers(con, flag: str, criterion: str, unit: str, start, eval_date, limit: int) -> list[str]:
    if flag == "tdgq_1":
        in_num = "d.on_time_until >= $eval"
        why = ("'overdue at ' || strftime($eval, '%Y-%m-%d') || ': ' || d.timeliness_reason")
    elif flag == "mdhl_3":
        in_num = "d.on_time_until >= $eval and not d.is_rated_unsatisfied and not d.has_feedback"
        why = ("concat_ws('; ', case when d.is_rated_unsatisfied then 'rated unsatisfied' end, "
               "case when d.has_feedback then 'a PAKN about it' end, "
               "case when d.on_time_until < $eval then 'overdue at ' || strftime($eval, '%Y-%m-%d') || ': ' "
               "|| d.timeliness_reason end)")
    else:
        in_num = f"d.{flag}_num"
        why = DOSSIER_REASONS.get(flag, f"'not in the {criterion} numerator'")
    rows = con.execute(f"""
        select d.dossier_code, d.unit_code, d.procedure_code, d.received_date::date, d.due_date::date,
               d.finished_at::date, {why}
        from dossier_criteria d
        join unit_ancestors a on a.unit_code = d.unit_code and a.ancestor_code = $unit
        where d.received_date >= $start and d.received_date < $eval::date + 1
          and d.{flag}_den and not coalesce({in_num}, false)
        order by d.received_date, d.dossier_code""", {"unit": unit, "start": start, "eval": eval_date}).fetchall()
    out = _table(f"  {'dossier':28s} {'unit':10s} {'procedure':10s} {'received':10s} {'due':10s} {'ended':10s} why",
                 rows, limit, "dossier")
    for code, u, proc, received, due, ended, reason in rows[:limit]:
        out.append(f"  {code:28s} {u:10s} {proc or '':10s} {str(received):10s} {str(due or '—'):10s} "
                   f"{str(ended or '—'):10s} {reason}")
    return out


def _feedback(con, criterion: str, unit: str, start, eval_date, limit: int) -> list[str]:
    in_num = "f.on_time_until >= $eval" + (" and not f.is_unsatisfied" if criterion == "MDHL.2" else "")
    why = ("concat_ws('; ', case when f.on_time_until < $eval then 'not handled within its deadline at ' "
           "|| strftime($eval, '%Y-%m-%d') end"
           + (", case when f.is_unsatisfied then 'unsatisfied (more dislikes than likes, or re-raised)' end" if
              criterion == "MDHL.2" else "") + ")")
    rows = con.execute(f"""
        select f.feedback_code, f.unit_code, f.received_date::date, f.due_date::date, f.handled_at::date, {why}
        from feedback_criteria f
        join unit_ancestors a on a.unit_code = f.unit_code and a.ancestor_code = $unit
        where f.received_date >= $start and f.received_date < $eval::date + 1 and not coalesce({in_num}, false)
        order by f.received_date, f.feedback_code""", {"unit": unit, "start": start, "eval": eval_date}).fetchall()
    out = _table(f"  {'PAKN':20s} {'unit':10s} {'received':10s} {'due':10s} {'handled':10s} why", rows, limit, "PAKN")
    for code, u, received, due, handled, reason in rows[:limit]:
        out.append(f"  {code:20s} {u:10s} {str(received):10s} {str(due or '—'):10s} {str(handled or '—'):10s} {reason}")
    return out


def _procedures(con, criterion: str, unit: str, start, eval_date, limit: int) -> list[str]:
    if criterion == "CLGQ.1":
        rows = con.execute("""
            select p.procedure_code, 'not offered as an online service (' || coalesce(p.online_level, 'none') || ')'
            from unit_procedures p
            where p.unit_code = $unit and coalesce(p.online_level, 'none') not in ('partial', 'full')
            order by p.procedure_code""", {"unit": unit}).fetchall()
    else:
        den, used, reason = PROCEDURE_CRITERIA[criterion]
        rows = con.execute(f"""
            with used as (
                select distinct u.procedure_code
                from procedure_usage u
                join unit_ancestors a on a.unit_code = u.unit_code and a.ancestor_code = $unit
                where u.received_month >= date_trunc('month', $start::date) and u.received_month <= $eval
                  and u.{used} = 1)
            select p.procedure_code, '{reason}'
            from unit_procedures p
            where p.unit_code = $unit and {den} and p.procedure_code not in (select procedure_code from used)
            order by p.procedure_code""", {"unit": unit, "start": start, "eval": eval_date}).fetchall()
    out = _table(f"  {'procedure':12s} why", rows, limit, "procedure")
    for code, why in rows[:limit]:
        out.append(f"  {code:12s} {why}")
    return out


def _announced(con, criterion: str, unit: str, start, eval_date, limit: int) -> list[str]:
    """Procedures a ministry or province (or a unit under it) announced: CKMB.1/2 over the
    announcing decisions of the period, CKMB.3 and CLGQ.1 over the public catalogue snapshot."""
    params = {"unit": unit, "start": start, "eval": eval_date}
    mine = "join unit_ancestors a on a.unit_code = {t}.announcing_unit_code and a.ancestor_code = $unit"
    if criterion == "CKMB.1":
        sql = f"""
            select x.procedure_code, 'decision ' || strftime(x.decision_date, '%Y-%m-%d') || ', legal basis effective '
                   || coalesce(strftime(x.legal_basis_effective_date, '%Y-%m-%d'), '—')
                   || ': not the required working days before it'
            from procedure_announcements x {mine.format(t='x')}
            where x.decision_date between $start and $eval and not x.announced_on_time
            qualify row_number() over (partition by x.procedure_code order by x.decision_date) = 1
            order by 1"""
    elif criterion == "CKMB.2":
        sql = f"""
            select x.procedure_code, coalesce('published ' || strftime(x.published_date, '%Y-%m-%d'), 'not published')
                   || ', due ' || coalesce(strftime(x.publication_due_date, '%Y-%m-%d'), '—')
            from procedure_announcements x {mine.format(t='x')}
            where (x.published_date between $start and $eval
                   or (x.publication_due_date between $start and $eval
                       and (x.published_date is null or x.published_date > $eval)))
              and not (x.published_on_time and x.published_date <= $eval)
            qualify row_number() over (partition by x.procedure_code order by x.decision_date) = 1
            order by 1"""
    else:
        test, why = (("not p.has_all_parts", "published without every required part") if criterion == "CKMB.3" else
                     ("coalesce(p.online_level, 'none') not in ('partial', 'full')", "not offered online"))
        sql = f"""
            select distinct p.procedure_code, '{why}'
            from procedures p {mine.format(t='p')}
            where p.catalogue_status = 'public' and {test}
            order by 1"""
    rows = con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql}).fetchall()
    out = _table(f"  {'procedure':12s} why", rows, limit, "procedure")
    for code, why in rows[:limit]:
        out.append(f"  {code:12s} {why}")
    return out


def what_if(published: Path, unit: str, period: str, limit: int = 20) -> str:
    """`explain --what-if`: the unit's open dossiers due in the next working days (at_risk_dossiers,
    its own and those of every unit under it) and, per criterion, the points it keeps in `period`
    by finishing them on time and the numerator events that reach the target or the next band
    (points_at_stake). Only periods still open at the as-of night have points at stake."""
    with connection(published, read_only=True) as con:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        if not {"points_at_stake", "at_risk_dossiers"} <= tables:
            raise SystemExit(f"{published} has no points_at_stake / at_risk_dossiers: publish with this version first")
        current = [r[0] for r in con.execute("select distinct period from points_at_stake order by 1").fetchall()]
        if period not in current:
            raise SystemExit(f"period {period} is not open at the as-of night; points at stake exist for "
                             f"{', '.join(current) or 'no period'}")
        stake = con.execute("""
            select s.unit_name, s.as_of_date, s.rule_version, s.criterion_code, s.numerator, s.denominator, s.ratio,
                   s.points, s.max_points, s.events_at_risk, s.points_at_stake, s.target_ratio, s.events_to_target,
                   s.events_to_next_band, s.unit_total, s.unit_band, s.next_band_min_total
            from points_at_stake s where s.unit_code = ? and s.period = ?
            order by s.points_at_stake desc, s.criterion_code""", [unit, period]).fetchall()
        if not stake:
            raise SystemExit(f"no points at stake for unit {unit} in {period} in {published}")
        dossiers = con.execute("""
            select r.dossier_code, r.unit_code, r.procedure_code, r.received_date, r.due_date, r.working_days_left
            from at_risk_dossiers r
            join unit_ancestors a on a.unit_code = r.unit_code and a.ancestor_code = ?
            where r.received_date between (select min(period_start) from criterion_scores where period = ?)
                                      and r.as_of_date
            order by r.due_date, r.dossier_code""", [unit, period]).fetchall()
    name, as_of, version, *_ = stake[0]
    total, band, next_min = stake[0][14], stake[0][15], stake[0][16]
    kept = sum(r[10] for r in stake)
    lines = [f"What if {unit} {name} finishes its at-risk dossiers on time — {period} "
             f"(as of {as_of}, rule version {version})",
             f"  total now {'—' if total is None else f'{total:.2f}'} ({band or 'unrated'})"
             + (f"; next band from {next_min:g}" if next_min is not None else ""),
             f"  {len(dossiers)} open dossier(s) of the period due in the next working days; on time they keep "
             f"{kept:.2f} criterion points that are lost if they miss their due dates"]
    lines.append("\n  criterion  num/den            points  at risk  keeps   to target  to next band")
    for (_n, _a, _v, code, num, den, ratio, points, max_points, at_risk, at_stake, target, to_target,
         to_band, *_rest) in stake:
        fraction = f"{_g(num)}/{_g(den)}"
        lines.append(f"  {code:<9}  {fraction:<17}  {points or 0:6.2f}  {at_risk:>7}  {at_stake or 0:5.2f}   "
                     f"{'—' if to_target is None else to_target:>9}  {'—' if to_band is None else to_band:>12}")
    lines.append("\nat-risk dossier(s)" + (f"; the first {limit}:" if len(dossiers) > limit else ":"))
    lines.append("  dossier                   unit        procedure   received    due         working days left")
    for code, unit_code, procedure, received, due, left in dossiers[:limit]:
        lines.append(f"  {code:<24}  {unit_code:<10}  {procedure or '':<10}  {received}  {due}  {left}")
    lines.append("\n'keeps': points now minus points if those dossiers miss their due dates (they count as on time "
                 "until then); 'to target' / 'to next band': more numerator events needed (— when out of reach).")
    return "\n".join(lines)


def _g(value) -> str:
    return "—" if value is None else f"{value:g}"
