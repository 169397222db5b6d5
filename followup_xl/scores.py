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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .calendar import WorkCalendar
from .errors import BadDate
from .messages import Message, message
from .models import Book, Staff
from .obligations import Obligation
from .policy import PolicyResult, add_months, compute_obligations
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
    compute: Callable[..., PolicyResult] = compute_obligations,
) -> dict:
    """Every person's monthly points and yearly score for ``year``, JSON-able."""
    if not 1900 <= year <= 9999:
        raise BadDate("scores.bad_year", year=year)
    year_end = dt.date(year, 12, 31)
    as_of = min(as_of or year_end, year_end)
    if as_of.year < year:
        raise BadDate("scores.year_not_begun", year=year, as_of=as_of)
    cal = cal or WorkCalendar.from_policy(policy)
    work = _Work.of(book, compute(book, policy, as_of, cal).obligations, year)
    whole = [m for m in range(1, 13) if month_bounds(f"{year}-{m:02d}")[1] <= as_of]
    staff = []
    for person in _people(book):
        if (person.left and person.left.year < year) or (person.joined and person.joined > as_of):
            continue
        monthly = [row for m in whole if (row := _month(person, year, m, work, policy)) is not None]
        yearly = (
            round(sum(month_row["score"] for month_row in monthly) / len(monthly), 2)
            if monthly
            else None
        )
        why = _no_bonus(person, yearly, year_end, as_of, policy)
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
        "months_without_calls": [m for m in whole if m not in work.months_with_calls],
        "items": [{"key": i.key, "name": i.zh, "points": i.points} for i in policy.score_items],
        "staff": staff,
    }


@dataclass
class _Work:
    """The year's work the targets are judged on, counted once for everyone."""

    months_with_calls: set[int]
    consult: Counter  # (caller, day) → 咨询 calls
    verified: Counter  # (verifier, month) → records verified
    due: dict[tuple, list[Obligation]]  # (owner, P5 | P14, month) → items due

    @classmethod
    def of(cls, book: Book, obligations: list[Obligation], year: int) -> _Work:
        work = cls(set(), Counter(), Counter(), defaultdict(list))
        for call in book.calls:
            if call.call_date and call.call_date.year == year:
                work.months_with_calls.add(call.call_date.month)
                if call.call_type == "咨询" and call.caller:
                    work.consult[(call.caller, call.call_date)] += 1
        for customer in book.customers:
            if customer.verified_by and customer.verified_on and customer.verified_on.year == year:
                work.verified[(customer.verified_by, customer.verified_on.month)] += 1
        for obligation in obligations:
            if obligation.rule in ("P5", "P14") and obligation.due_date.year == year:
                key = (obligation.owner, obligation.rule, obligation.due_date.month)
                work.due[key].append(obligation)
        return work


def _month(person: Staff, year: int, m: int, work: _Work, policy: Policy) -> dict[str, Any] | None:
    """The targets ``person`` met in month ``m`` and the score they give; None for a month not
    judged (not employed then, or the book has no calls that month)."""
    start, end = month_bounds(f"{year}-{m:02d}")
    if (
        (person.joined and person.joined > end)
        or (person.left and person.left < start)
        or m not in work.months_with_calls
    ):
        return None
    consulted = sum(
        n for (who, d), n in work.consult.items() if who == person.name and start <= d <= end
    )
    weeks = [
        sum(work.consult.get((person.name, w + dt.timedelta(days=i)), 0) for i in range(7))
        for w in _whole_weeks(start, end, policy.week_start)
    ]
    deals, trips = (
        work.due.get((person.name, "P5", m), []),
        work.due.get((person.name, "P14", m), []),
    )
    verified = work.verified.get((person.name, m), 0)
    met = {
        "deal": _all_on_time(deals),
        "consultation": all(n >= policy.consultation_weekly_target for n in weeks)
        and consulted >= policy.consultation_monthly_target,
        "verification": verified >= policy.verifier_monthly_target,
        "trip": _all_on_time(trips),
    }
    points = {i.key: i.points for i in policy.score_items}
    earned = sum(points.get(k, 0) for k, ok in met.items() if ok)
    return {
        "month": m,
        "met": met,
        "points": earned,
        "score": policy.score_base + earned,
        "deals_due": len(deals),
        "trips_due": len(trips),
        "consultation_followups": consulted,
        "consultation_weeks": weeks,
        "verified": verified,
    }


def _no_bonus(
    person: Staff, yearly: float | None, year_end: dt.date, as_of: dt.date, policy: Policy
) -> Message | None:
    """Why ``person`` has no year-end bonus (None: they have one)."""
    if bool(person.left and person.left <= year_end) or person.has_left:
        return message("scores.left_in_year")
    if person.joined and add_months(person.joined, policy.min_months_for_bonus) > as_of:
        return message("scores.too_new", min_months_for_bonus=policy.min_months_for_bonus)
    if yearly is None:
        return message("scores.no_month_scored")
    if yearly < policy.bonus_threshold:
        return message("scores.below_threshold", bonus_threshold=policy.bonus_threshold)
    return None
