"""Staff scores (电话回访员考核, seed 003; REQUIREMENTS M2): monthly points, yearly score, bonus.

Targets, each worth the points of policy ``score_items`` when met in a month:
* deal — last month's deals (P5 items due this month) all followed up in the first week;
* consultation — 咨询 calls made ≥ the weekly target in every whole week of the month
  and ≥ the monthly target;
* verification — customer records verified in the month (核实人 = the person) ≥ the target;
* trip — business-trip visits (P14 items due this month) all verified by the next working day.
A deal or trip item with nothing to follow up that month is neither met nor failed (None, no
points): the seed rewards work that was checked, and a month without deals checks nothing.

Scale: the seed says "月度分 … 1分=1月度底薪" and "年度分≥110分有领取年终奖资格". Read as
1 point = 1% of the monthly base pay (the % sign is lost in the seed's text), an ordinary month
is worth 100, so a month scores policy ``score_base`` (100) + the points met, and 110 means
10% above an ordinary year. Yearly score = sum of monthly scores ÷ months worked.
Months scored: whole months up to ``as_of`` in which the person was employed and the book has
calls (months before the book's records begin are not judged). Not eligible for the bonus:
left during the year (年中离职), or joined less than ``min_months_for_bonus`` months before the
year's end or ``as_of`` (入职不满3个月). The seed's attitude item (−5, from the manager's own
monthly report) has no data in the workbook and stays with the manager.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from .calendar import WorkCalendar
from .errors import BadDate
from .messages import message
from .models import Book, Staff
from .obligations import Obligation
from .policy import add_months, compute_obligations
from .report import month_bounds
from .settings import Policy

WEEKDAYS = {"monday": 0, "saturday": 5, "sunday": 6}


def _all_on_time(items: list[Obligation]) -> bool | None:
    if not items:
        return None
    return all(
        obligation.satisfied_on is not None and obligation.satisfied_on <= obligation.due_date
        for obligation in items
    )


def _whole_weeks(start: dt.date, end: dt.date, week_start: str) -> list[dt.date]:
    first = start + dt.timedelta(days=(WEEKDAYS.get(week_start, 0) - start.weekday()) % 7)
    return [
        first + dt.timedelta(days=7 * i)
        for i in range(6)
        if first + dt.timedelta(days=7 * i + 6) <= end
    ]


def _people(book: Book) -> list[Staff]:
    """Staff (员工) from the 人员 sheet; the callers and owners when a book has none."""
    people = [person for person in book.staff if person.name and person.role in (None, "员工")]
    if people or book.staff:
        return people
    names = sorted(
        {call.caller for call in book.calls if call.caller}
        | {customer.owner for customer in book.customers if customer.owner}
    )
    return [Staff.build(None, {}, {}, {"name": n}) for n in names]


def yearly_scores(
    book: Book,
    policy: Policy,
    year: int,
    as_of: dt.date | None = None,
    cal: WorkCalendar | None = None,
) -> dict:
    """Every person's monthly points and yearly score for ``year``, JSON-able."""
    if not 1900 <= year <= 9999:
        raise BadDate("scores.bad_year", year=year)
    year_end = dt.date(year, 12, 31)
    as_of = min(as_of or year_end, year_end)
    if as_of.year < year:
        raise BadDate("scores.year_not_begun", year=year, as_of=as_of)
    cal = cal or WorkCalendar.from_policy(policy)
    result = compute_obligations(book, policy, as_of, cal)
    points = {i.key: i.points for i in policy.score_items}
    months_with_calls = {
        call.call_date.month
        for call in book.calls
        if call.call_date and call.call_date.year == year
    }
    whole = [m for m in range(1, 13) if month_bounds(f"{year}-{m:02d}")[1] <= as_of]
    consult: Counter = Counter()
    for call in book.calls:
        if (
            call.call_type == "咨询"
            and call.caller
            and call.call_date
            and call.call_date.year == year
        ):
            consult[(call.caller, call.call_date)] += 1
    verified: Counter = Counter()
    for customer in book.customers:
        if customer.verified_by and customer.verified_on and customer.verified_on.year == year:
            verified[(customer.verified_by, customer.verified_on.month)] += 1
    due: dict[tuple, list[Obligation]] = defaultdict(list)
    for obligation in result.obligations:
        if obligation.rule in ("P5", "P14") and obligation.due_date.year == year:
            due[(obligation.owner, obligation.rule, obligation.due_date.month)].append(obligation)

    staff = []
    for person in _people(book):
        if (person.left and person.left.year < year) or (person.joined and person.joined > as_of):
            continue
        monthly: list[dict[str, Any]] = []
        for m in whole:
            start, end = month_bounds(f"{year}-{m:02d}")
            if (
                (person.joined and person.joined > end)
                or (person.left and person.left < start)
                or m not in months_with_calls
            ):
                continue
            month_total = sum(
                n for (who, d), n in consult.items() if who == person.name and start <= d <= end
            )
            weeks = [
                sum(consult.get((person.name, w + dt.timedelta(days=i)), 0) for i in range(7))
                for w in _whole_weeks(start, end, policy.week_start)
            ]
            deals, trips = due.get((person.name, "P5", m), []), due.get((person.name, "P14", m), [])
            met = {
                "deal": _all_on_time(deals),
                "consultation": all(n >= policy.consultation_weekly_target for n in weeks)
                and month_total >= policy.consultation_monthly_target,
                "verification": verified.get((person.name, m), 0) >= policy.verifier_monthly_target,
                "trip": _all_on_time(trips),
            }
            earned = sum(points.get(k, 0) for k, ok in met.items() if ok)
            monthly.append(
                {
                    "month": m,
                    "met": met,
                    "points": earned,
                    "score": policy.score_base + earned,
                    "deals_due": len(deals),
                    "trips_due": len(trips),
                    "consultation_followups": month_total,
                    "consultation_weeks": weeks,
                    "verified": verified.get((person.name, m), 0),
                }
            )
        yearly = (
            round(sum(month_row["score"] for month_row in monthly) / len(monthly), 2)
            if monthly
            else None
        )
        left = bool(person.left and person.left <= year_end) or person.has_left
        recent = bool(
            person.joined and add_months(person.joined, policy.min_months_for_bonus) > as_of
        )
        if left:
            why = message("scores.left_in_year")
        elif recent:
            why = message("scores.too_new", min_months_for_bonus=policy.min_months_for_bonus)
        elif yearly is None:
            why = message("scores.no_month_scored")
        elif yearly < policy.bonus_threshold:
            why = message("scores.below_threshold", bonus_threshold=policy.bonus_threshold)
        else:
            why = None
        staff.append(
            {
                "name": person.name,
                "joined": person.joined,
                "left": person.left,
                "months_worked": len(monthly),
                "monthly": monthly,
                "yearly_score": yearly,
                "bonus_eligible": why is None,
                # the figures keep both languages, as the JSON and the 考核 sheet show them
                "not_eligible_reason": why.render("zh") if why else "",
                "not_eligible_reason_en": why.render("en") if why else "",
            }
        )
    return {
        "year": year,
        "as_of": as_of,
        "threshold": policy.bonus_threshold,
        "score_base": policy.score_base,
        "min_months_for_bonus": policy.min_months_for_bonus,
        "months_scored": whole,
        "months_without_calls": [m for m in whole if m not in months_with_calls],
        "items": [{"key": i.key, "name": i.zh, "points": i.points} for i in policy.score_items],
        "staff": staff,
    }
