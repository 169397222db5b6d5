"""The seed duties dated from events, customer dates and festivals (REQUIREMENTS P16–P18, P21–P23).

Each rule reads its numbers from its row of the 回访规则 table (``ctx.table.get(code)``: offset
and unit, window, classes, festivals, caller, method, hard), makes nothing when the row is
disabled, and yields obligations that explain themselves, as the rules in ``policy.py`` do;
``policy.CUSTOMER_RULES`` lists them and ``policy._bounded`` passes them on with the window
(``lapse_date``) set here from the row. See docs/seed-duties.md for the dates by example.

This module imports nothing from ``policy`` at run time (policy imports it).
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from .calendar import Festival, WorkCalendar, add_months
from .calendar import festival_names as _festival_names
from .messages import Message, message
from .models import Call, Customer, Event
from .obligations import Obligation
from .obligations import call_ref as _ref
from .obligations import customer_ref as _cust_src
from .ruletable import (
    HEAD,
    MANAGER,
    PHONE,
    SMS,
    VISIT,
    WORKDAYS,
    FollowUpRule,
    due_after,
)

if TYPE_CHECKING:
    from .policy import Context, CustomerRecords

# Festival and birthday items are planned for the month around the day they are worked out for:
# due from HORIZON_DAYS before ``as_of`` (the month's report counts the ones missed) to
# HORIZON_DAYS after it (what the next month needs), as P8 and P15 keep the list short.
HORIZON_DAYS = 31
# A birthday greeting sent up to this many days before the birthday counts.
GREETING_EARLY_DAYS = 7

# event type → (rule, the 回访类型 values that satisfy it): the events these duties follow up
EVENT_DUTIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "入伙": ("P17", ("入伙",)),
    "突发事件": ("P18", ("突发事件",)),
}
PROJECT, DEAL = "工程", "成交"  # the event types P22 and P23 read
DEAL_CALL = "成交"  # P23: a 成交 call inside the 24-hour window confirms the order too
CLOSED, WITHDRAWN = "已办结", "已撤销"
FESTIVAL_JOIN = "、"


# --- the dating every rule shares ------------------------------------------------------


def lapse(ctx: Context, due: dt.date, row: FollowUpRule) -> dt.date | None:
    """The last day the item is worth doing: the row's 有效期 in working days (None: never)."""
    if row.window_workdays is None:
        return None
    return ctx.cal.add_working_days(due, row.window_workdays)


def applies(ctx: Context, row: FollowUpRule, customer: Customer) -> bool:
    """The row is on and covers the customer's class (no classes: every class); an SMS row
    leaves out a customer who takes no SMS (不接受短信=是)."""
    if not row.enabled:
        return False
    if row.classes and (customer.klass or ctx.policy.default_class) not in row.classes:
        return False
    return not (row.method == SMS and customer.no_sms)


def _obligation(
    ctx: Context,
    cr: CustomerRecords,
    row: FollowUpRule,
    due: dt.date,
    reason: Message,
    trigger: dt.date,
    source: str,
    *,
    event_id: str | None = None,
    owner: str | None = None,
    call_types: tuple[str, ...] | None = None,
) -> Obligation:
    customer = cr.customer
    return Obligation(
        customer_id=cr.customer_id,
        rule=row.code,
        due_date=due,
        reason=reason,
        customer_name=customer.name,
        owner=owner or customer.owner,
        trigger_date=trigger,
        source=source,
        event_id=event_id,
        call_types=row.call_types if call_types is None else call_types,
        hard=row.hard,
        lapse_date=lapse(ctx, due, row),
        caller_role=row.caller if row.caller in (HEAD, MANAGER) else None,
        method=None if row.method == PHONE else row.method,
        preferred_time=customer.preferred_time,
    )


def _done(
    obligation: Obligation,
    calls: list[Call],
    start: dt.date,
    *,
    event_id: str | None = None,
    extra: tuple[str, ...] = (),
    extra_until: dt.date | None = None,
) -> Obligation:
    """Closed by the first successful call on/after ``start`` of one of its 回访类型 (naming
    ``event_id`` or no event), or naming the obligation's own event; ``extra`` types count
    up to ``extra_until``. A visit (方式 上门) is closed by a visit only: a greeting SMS of
    the same type is not the festival visit."""
    own = obligation.event_id
    for call in calls:
        if call.call_date is None or call.call_date < start or not call.successful:
            continue
        if obligation.method == VISIT and call.method != VISIT:
            continue
        named = bool(own) and call.event_id == own
        unnamed = not call.event_id or call.event_id in (own, event_id)
        typed = call.call_type in obligation.call_types or (
            call.call_type in extra and extra_until is not None and call.call_date <= extra_until
        )
        if named or (typed and unnamed):
            return replace(obligation, satisfied_on=call.call_date, satisfied_by=_ref(call))
    return obligation


def _filed_in_time(customer: Customer, obligation: Obligation) -> bool:
    """A duty whose window closed before the customer was filed is not the office's to count."""
    end = obligation.lapse_date or obligation.due_date
    return customer.created is None or end >= customer.created


# --- P16: festivals and birthdays -----------------------------------------------------------


def festival_names(row: FollowUpRule) -> tuple[str, ...]:
    """The festivals a P16/P16S row names in its 触发值 (春节,中秋节; the table refuses others)."""
    return _festival_names(row.trigger_value)[0]


def festival_due(cal: WorkCalendar, row: FollowUpRule, first_off: dt.date) -> dt.date:
    """The last working day before the festival's first day off (calls before holidays — 000),
    ``offset`` working days (or days) earlier still."""
    n = row.offset or 0
    if row.unit == WORKDAYS:
        return cal.add_working_days(first_off, -(n + 1))
    return cal.on_or_before(first_off - dt.timedelta(days=n + 1))


def _festivals(ctx: Context, row: FollowUpRule) -> list[tuple[list[Festival], dt.date, dt.date]]:
    """(festivals sharing one run of days off, due date, first day a call counts) for the row's
    festivals due within HORIZON_DAYS either side of ``as_of``. A call counts from the day after
    the previous such festival began (one call is one festival's), at most HORIZON_DAYS early.
    The same for every customer: worked out once per calendar, row and day."""
    return _festival_runs(ctx.cal, row, ctx.as_of)


@functools.lru_cache(maxsize=16)
def _festival_runs(
    cal: WorkCalendar, row: FollowUpRule, as_of: dt.date
) -> list[tuple[list[Festival], dt.date, dt.date]]:
    names = festival_names(row)
    if not names:
        return []
    span = dt.timedelta(days=3 * HORIZON_DAYS)
    found = cal.festivals(as_of - span, as_of + dt.timedelta(days=HORIZON_DAYS + 10))
    runs: dict[dt.date, list[Festival]] = {}
    for festival in found:
        if festival.name in names:
            runs.setdefault(festival.first_off, []).append(festival)
    out = []
    previous: dt.date | None = None
    horizon = dt.timedelta(days=HORIZON_DAYS)
    for first_off, together in sorted(runs.items()):
        due = festival_due(cal, row, first_off)
        start = due - horizon
        if previous is not None:
            start = max(start, previous + dt.timedelta(days=1))
        previous = first_off
        if as_of - horizon <= due <= as_of + horizon:
            out.append((together, due, min(start, due)))
    return out


def _festival_rule(ctx: Context, cr: CustomerRecords, code: str) -> Iterator[Obligation]:
    row = ctx.table.get(code)
    if not applies(ctx, row, cr.customer):
        return
    for together, due, start in _festivals(ctx, row):
        first_off = together[0].first_off
        name = FESTIVAL_JOIN.join(festival.name for festival in together)
        reason_id = "reason.festival_visit" if code == "P16" else "reason.festival_greeting"
        why = message(reason_id, festival=name, first_off=first_off, due=due)
        obligation = _obligation(
            ctx, cr, row, due, why, together[0].day, f"{code}:{first_off.isoformat()}"
        )
        if _filed_in_time(cr.customer, obligation):
            yield _done(obligation, cr.calls, start)


def rule_festival_visits(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P16: a visit before each major festival (春节, 中秋节 by default), class A by default,
    organised by the company manager (001 §1.6; 003 三 节日回访)."""
    if ctx.table.enabled("P16"):
        yield from _festival_rule(ctx, cr, "P16")


def rule_festival_greetings(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P16S: a greeting SMS before each festival (002 §6 / 004 逢年过节，短信问候)."""
    if ctx.table.enabled("P16S"):
        yield from _festival_rule(ctx, cr, "P16S")


def birthday_in(birthday: dt.date, year: int) -> dt.date:
    """The birthday in ``year`` (29 Feb → 28 Feb in a common year)."""
    day = min(birthday.day, _cal.monthrange(year, birthday.month)[1])
    return dt.date(year, birthday.month, day)


def rule_birthday_greetings(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P16B: a greeting on the customer's 生日, due that day or the working day before it."""
    customer = cr.customer
    if not ctx.table.enabled("P16B") or customer.birthday is None:
        return
    row = ctx.table.get("P16B")
    if not applies(ctx, row, customer):
        return
    horizon = dt.timedelta(days=HORIZON_DAYS)
    for year in range(ctx.as_of.year - 1, ctx.as_of.year + 2):
        day = birthday_in(customer.birthday, year)
        due = ctx.cal.on_or_before(day - dt.timedelta(days=row.offset or 0))
        if not ctx.as_of - horizon <= due <= ctx.as_of + horizon:
            continue
        why = message("reason.birthday_greeting", birthday=day, due=due)
        obligation = _obligation(ctx, cr, row, due, why, day, _cust_src(customer))
        if _filed_in_time(customer, obligation):
            start = min(due, day - dt.timedelta(days=GREETING_EARLY_DAYS))
            yield _done(obligation, cr.calls, start)


# --- P17, P18: move-in and emergencies --------------------------------------------------------


def event_due(ctx: Context, ev: Event) -> dt.date | None:
    """The due date of a 入伙/突发事件 event's follow-up (policy.event_first_due asks)."""
    if ev.event_date is None or ev.event_type not in EVENT_DUTIES or ev.anonymous:
        return None
    row = ctx.table.get(EVENT_DUTIES[ev.event_type][0])
    if not row.enabled:
        return None
    return due_after(ctx.cal, ev.event_date, row.offset, row.unit)


def rule_event_duties(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P17 (入伙, 001 §1.6) and P18 (突发事件 handled → the next working day): one obligation
    per event; a customer's 入伙日期 makes P17 when no 入伙 event of theirs is on the books.
    A closed or withdrawn event keeps the follow-up already made and makes no more (P10:
    anonymous events none)."""
    moved_in = False
    for ev in cr.events:
        if ev.event_type not in EVENT_DUTIES:
            continue
        code = EVENT_DUTIES[ev.event_type][0]
        moved_in = moved_in or code == "P17"
        d = ev.event_date
        if d is None or ev.anonymous or not ctx.table.enabled(code):
            continue
        row = ctx.table.get(code)
        if not applies(ctx, row, cr.customer):
            continue
        due = due_after(ctx.cal, d, row.offset, row.unit)
        eid = ev.event_id or ""
        reason_id = "reason.move_in" if code == "P17" else "reason.emergency"
        obligation = _obligation(
            ctx,
            cr,
            row,
            due,
            message(reason_id, eid=eid, d=d, due=due),
            d,
            ev.event_id or _cust_src(cr.customer),
            event_id=ev.event_id,
            owner=ev.owner,
        )
        obligation = _done(obligation, cr.calls, d)
        if not (ev.is_closed and obligation.is_open):
            yield obligation
    customer = cr.customer
    d = customer.move_in
    if moved_in or d is None or d > ctx.as_of or not ctx.table.enabled("P17"):
        return
    row = ctx.table.get("P17")
    if not applies(ctx, row, customer):
        return
    due = due_after(ctx.cal, d, row.offset, row.unit)
    why = message("reason.move_in_date", d=d, due=due)
    obligation = _obligation(ctx, cr, row, due, why, d, _cust_src(customer))
    if _filed_in_time(customer, obligation):
        yield _done(obligation, cr.calls, d)


# --- P21, P22: the warranty -------------------------------------------------------------------


def rule_warranty_checks(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P21 (003 #5.5): while under warranty (保修到期日 on or after ``as_of``), a spot-check call
    every ``repeat_months`` months from the last successful 保修抽查 call, else from the latest
    of 入伙日期 / 最近成交日期 / 建档日期; none after the warranty ends; planned a month ahead."""
    customer = cr.customer
    end = customer.warranty_end
    if end is None or end < ctx.as_of or not ctx.table.enabled("P21"):
        return
    row = ctx.table.get("P21")
    if not applies(ctx, row, customer):
        return
    months = row.repeat_months or row.offset or 3
    checks = [
        call.call_date
        for call in cr.calls
        if call.call_date and call.successful and call.call_type in row.call_types
    ]
    if checks:
        anchor = max(checks)
        why = message("reason.warranty_check", end=end, months=months, anchor=anchor)
    else:
        dates = [d for d in (customer.move_in, customer.last_deal, customer.created) if d]
        if not dates:
            return
        anchor = max(dates)
        why = message("reason.warranty_check_first", end=end, months=months, anchor=anchor)
    due_raw = add_months(anchor, months)
    if due_raw > end or due_raw > ctx.as_of + dt.timedelta(days=HORIZON_DAYS):
        return
    due = ctx.cal.due_on_working_day(due_raw, anchor)
    yield _obligation(ctx, cr, row, due, why, anchor, _cust_src(customer))


def _completed(ev: Event) -> dt.date | None:
    """A project's completion day: 实际竣工日期, else its date when it is 已办结; None if open."""
    if ev.status == WITHDRAWN:
        return None
    if ev.actual_end:
        return ev.actual_end
    return ev.event_date if ev.status == CLOSED else None


def rule_feedback_form(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P22 (003 #8): a completed 工程 whose customer's 保修到期日 has passed and which has no
    客户意见反馈表 (意见反馈表 not 是) → one call due the next working day after 保修到期日,
    missed after the row's window (a warranty that ended long ago shows as missed, once);
    its result goes to 总经办 the same day."""
    customer = cr.customer
    end = customer.warranty_end
    if end is None or end >= ctx.as_of or not ctx.table.enabled("P22"):
        return
    row = ctx.table.get("P22")
    if not applies(ctx, row, customer):
        return
    for ev in cr.events:
        if ev.event_type != PROJECT or ev.anonymous or ev.feedback_form:
            continue
        done = _completed(ev)
        if done is None or done > end:
            continue
        due = due_after(ctx.cal, end, row.offset, row.unit)
        eid = ev.event_id or ""
        why = message("reason.feedback_form", eid=eid, done=done, end=end)
        obligation = _obligation(
            ctx, cr, row, due, why, end, ev.event_id or _cust_src(customer), owner=ev.owner
        )
        if _filed_in_time(customer, obligation):
            yield _done(obligation, cr.calls, end, event_id=ev.event_id)


# --- P23: 24 hours after a purchase ---------------------------------------------------------------


def rule_deal_confirmation(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P23 (004): a 成交 event → contact within 24 hours to confirm the order, i.e. the next
    working day; a 成交确认 call closes it, and so does a 成交 call made inside its window.
    In addition to P5 (the first week of the next month)."""
    if not ctx.table.enabled("P23"):
        return
    row = ctx.table.get("P23")
    if not applies(ctx, row, cr.customer):
        return
    for ev in cr.events:
        d = ev.event_date
        if ev.event_type != DEAL or d is None or ev.anonymous or ev.status == WITHDRAWN:
            continue
        due = due_after(ctx.cal, d, row.offset, row.unit)
        eid = ev.event_id or ""
        why = message("reason.deal_confirmation", eid=eid, d=d, due=due)
        obligation = _obligation(
            ctx, cr, row, due, why, d, ev.event_id or _cust_src(cr.customer), owner=ev.owner
        )
        obligation = _done(
            obligation,
            cr.calls,
            d,
            event_id=ev.event_id,
            extra=(DEAL_CALL,),
            extra_until=obligation.lapse_date or due,
        )
        if not (ev.is_closed and obligation.is_open):
            yield obligation


RULES = (
    rule_festival_visits,
    rule_festival_greetings,
    rule_birthday_greetings,
    rule_event_duties,
    rule_warranty_checks,
    rule_feedback_form,
    rule_deal_confirmation,
)
