"""Staff scores (电话回访员考核, seed 003; REQUIREMENTS M2): monthly points, yearly score, bonus.

The seed's targets, each worth points when met in a month (policy `score_items`):
* deal — last month's deals (P5) followed up in the first week of this month: all of
  them on time, with at least one to follow up;
* consultation — consultation follow-ups (咨询 calls made) ≥ the weekly target in
  every full week of the month and ≥ the monthly target;
* verification — customer records verified in the month (核实人 = the person,
  核实日期 in the month) ≥ the monthly target;
* trip — business-trip visits (P14) verified the next working day: all on time, at
  least one.
The seed says "1分=1月度底薪" and a yearly score of 110 qualifies for the bonus, so a
month is worth the policy's `score_base` (100) plus the points met. Yearly score =
sum of monthly scores ÷ months worked. Not eligible: left during the year, or joined
less than `min_months_for_bonus` months before the year's end (seed: 入职不满3个月).
The seed's attitude item (−5) has no data in the workbook and is left to the manager.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from .calendar import WorkCalendar
from .models import Book
from .policy import compute_obligations
from .report import month_bounds
from .settings import Policy


def _months_worked(joined: dt.date | None, left: dt.date | None, year: int, last_month: int) -> list[int]:
    months = []
    for m in range(1, last_month + 1):
        start, end = month_bounds(f"{year}-{m:02d}")
        if joined and joined > end:
            continue
        if left and left < start:
            continue
        months.append(m)
    return months


def yearly_scores(book: Book, policy: Policy, year: int, as_of: dt.date | None = None,
                  cal: WorkCalendar | None = None) -> dict:
    cal = cal or WorkCalendar.from_policy(policy)
    as_of = as_of or dt.date(year, 12, 31)
    last_month = 12 if as_of.year > year else as_of.month if as_of.year == year else 0
    result = compute_obligations(book, policy, min(as_of, dt.date(year, 12, 31)), cal)
    points = {s.key: s.points for s in policy.score_items}
    people = [s for s in book.staff if s.name and s.role in (None, "员工")]
    consult: dict[tuple[str, dt.date], int] = defaultdict(int)
    for k in book.calls:
        if k.call_type == "咨询" and k.caller and k.call_date and k.call_date.year == year:
            consult[(k.caller, k.call_date)] += 1
    verified: dict[tuple[str, int], int] = defaultdict(int)
    for c in book.customers:
        if c.verified_by and c.verified_on and c.verified_on.year == year:
            verified[(c.verified_by, c.verified_on.month)] += 1
    obl = defaultdict(list)
    for o in result.obligations:
        if o.rule in ("P5", "P14") and o.due_date.year == year:
            obl[(o.owner, o.rule, o.due_date.month)].append(o)

    out = []
    for s in people:
        months = _months_worked(s.joined, s.left, year, last_month)
        monthly = []
        for m in months:
            start, end = month_bounds(f"{year}-{m:02d}")
            met = {}
            p5 = obl.get((s.name, "P5", m), [])
            met["deal"] = bool(p5) and all(o.satisfied_on and o.satisfied_on <= o.due_date for o in p5)
            month_total = sum(n for (who, d), n in consult.items() if who == s.name and start <= d <= end)
            weeks_ok = True
            d = start + dt.timedelta(days=(7 - start.weekday()) % 7)   # first Monday in the month
            while d + dt.timedelta(days=6) <= end:
                week = sum(consult.get((s.name, d + dt.timedelta(days=i)), 0) for i in range(7))
                weeks_ok &= week >= policy.consultation_weekly_target
                d += dt.timedelta(days=7)
            met["consultation"] = weeks_ok and month_total >= policy.consultation_monthly_target
            met["verification"] = verified.get((s.name, m), 0) >= policy.verifier_monthly_target
            p14 = obl.get((s.name, "P14", m), [])
            met["trip"] = bool(p14) and all(o.satisfied_on and o.satisfied_on <= o.due_date for o in p14)
            earned = sum(points.get(k, 0) for k, ok in met.items() if ok)
            monthly.append({"month": m, "met": met, "points": earned, "score": policy.score_base + earned,
                            "consultation_followups": month_total, "verified": verified.get((s.name, m), 0)})
        total = sum(x["score"] for x in monthly)
        yearly = round(total / len(monthly), 2) if monthly else None
        year_end = dt.date(year, 12, 31)
        left_in_year = bool(s.has_left or (s.left and s.left.year == year))
        short = bool(s.joined and (year_end - s.joined).days < policy.min_months_for_bonus * 30)
        eligible = yearly is not None and yearly >= policy.bonus_threshold and not left_in_year and not short
        reason = ("年中离职" if left_in_year else "入职不满3个月" if short else
                  "年度分未达标" if yearly is None or yearly < policy.bonus_threshold else "")
        out.append({"name": s.name, "months_worked": len(monthly), "monthly": monthly, "yearly_score": yearly,
                    "bonus_eligible": eligible, "not_eligible_reason": reason})
    return {"year": year, "threshold": policy.bonus_threshold, "score_base": policy.score_base,
            "items": [{"key": i.key, "name": i.zh, "points": i.points} for i in policy.score_items], "staff": out}
