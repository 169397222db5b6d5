"""The generic engine: the office's own 回访规则 rows (安装 → 3 个工作日) as obligations.

A row says what starts the follow-up (an event of a 事项类型, a date on the customer book, a
call whose 结果/问题状态/回访类型 is a value), how long after it the call is due (工作日, 天, 小时
— 24 小时 is the next working day —, 月), how long it stays worth making (有效期, working days
after the due date), who makes it and how, and which 回访类型 close it. Dates move to a working
day the way the built-in rules' do. Plain data: called by ``policy.compute_obligations``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from . import schema
from .calendar import add_months
from .messages import Label, message
from .models import Call, Event
from .obligations import Obligation, call_ref
from .ruletable import (
    BY_GRADE,
    CALL,
    CUSTOMER_DATE,
    EVENT,
    HEAD,
    MANAGER,
    PHONE,
    FollowUpRule,
    customer_date_columns,
)
from .ruletable import due_after as _due_after

if TYPE_CHECKING:
    from .policy import Context, CustomerRecords

LOOK_AHEAD = dt.timedelta(days=31)  # a date rule's next occurrence shows a month ahead (as P8/P15)
# the roles a 回访人 names (按投诉等级: the event's level, settings.complaint_roles)
ROLE_CALLERS = (HEAD, MANAGER)


def due_after(ctx: Context, rule: FollowUpRule, d: dt.date) -> dt.date:
    """When ``rule``'s follow-up of something on ``d`` is due (ruletable.due_after)."""
    return _due_after(ctx.cal, d, rule.offset, rule.unit)


def custom_obligations(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """Every office rule's obligations for one customer (rules that name classes skip others)."""
    klass = cr.customer.klass or ctx.policy.default_class
    for rule in ctx.table.custom():
        if not _for_class(rule, klass):
            continue
        if rule.trigger == EVENT:
            yield from _events(ctx, cr, rule)
        elif rule.trigger == CUSTOMER_DATE:
            yield from _customer_date(ctx, cr, rule)
        elif rule.trigger == CALL:
            yield from _calls(ctx, cr, rule)


def _for_class(rule: FollowUpRule, klass: str) -> bool:
    """The row applies to a customer of ``klass`` (a row naming no 客户类别 to every customer)."""
    return not rule.classes or klass in rule.classes


def first_event_rule(ctx: Context, ev: Event, klass: str) -> FollowUpRule | None:
    """The first office row (in table order) ``ev`` starts for a customer of ``klass``: the one
    whose date the staff book's 应回访日期 shows (policy.event_first_due)."""
    etype = event_type_of(ev)
    named = [r for r in ctx.table.custom() if r.trigger == EVENT and r.trigger_value == etype]
    return next((rule for rule in named if etype and _for_class(rule, klass)), None)


def _typed(rec: Event | Call, key: str) -> str | None:
    """A dropdown field's value, or the text typed in it (an office's own type, 安装)."""
    value = getattr(rec, key)
    if value:
        return value
    raw = rec.bad.get(key)
    return str(raw).strip() if raw else None


def event_type_of(ev: Event) -> str | None:
    """The event's 事项类型, an office's own included."""
    return _typed(ev, "event_type")


def _events(ctx: Context, cr: CustomerRecords, rule: FollowUpRule) -> Iterator[Obligation]:
    for ev in cr.events:
        d = ev.event_date
        if d is None or ev.anonymous or event_type_of(ev) != rule.trigger_value:
            continue
        role = _role(ctx, rule, ev.complaint_level)
        obligation = _make(ctx, cr, rule, d, ev.event_id or _src(cr), ev.event_id, role)
        obligation = _owned(obligation, ev.owner)
        obligation = _satisfy(obligation, cr.calls, d, exclude=None)
        if ev.is_closed and obligation.is_open:
            continue  # a closed or withdrawn event makes no further follow-ups
        yield obligation


def _customer_date(ctx: Context, cr: CustomerRecords, rule: FollowUpRule) -> Iterator[Obligation]:
    """The date's occurrence (with 重复周期, the latest whose due date is at most a month ahead)."""
    key = customer_date_columns()[schema.fold(rule.trigger_value)]
    first = getattr(cr.customer, key)
    if not isinstance(first, dt.date):
        return
    horizon = ctx.as_of + LOOK_AHEAD
    occurrence = first
    if rule.repeat_months:  # start a year or so before the horizon, then step to the latest
        behind = (horizon.year - first.year) * 12 + horizon.month - first.month
        k = max(0, behind // rule.repeat_months - (12 // rule.repeat_months + 1))
        occurrence = add_months(first, k * rule.repeat_months)
        while k and due_after(ctx, rule, occurrence) > horizon:  # a long 期限: step back
            k -= 1
            occurrence = add_months(first, k * rule.repeat_months)
        while True:
            nxt = add_months(first, (k + 1) * rule.repeat_months)
            if due_after(ctx, rule, nxt) > horizon:
                break
            k += 1
            occurrence = nxt
    if due_after(ctx, rule, occurrence) > horizon:
        return
    obligation = _make(ctx, cr, rule, occurrence, _src(cr), None, _role(ctx, rule, None))
    yield _satisfy(obligation, cr.calls, occurrence, exclude=None)


def _calls(ctx: Context, cr: CustomerRecords, rule: FollowUpRule) -> Iterator[Obligation]:
    """One obligation per call whose 结果, 问题状态 or 回访类型 is the rule's value; a later
    successful call closes it."""
    value = rule.trigger_value
    for call in cr.calls:
        d = call.call_date
        if d is None or value not in (call.result, call.issue_status, call.call_type):
            continue
        ref = call_ref(call)
        role = _role(ctx, rule, call.complaint_level)
        obligation = _make(ctx, cr, rule, d, ref, call.event_id, role)
        yield _satisfy(obligation, cr.calls, d, exclude=call)


def _role(ctx: Context, rule: FollowUpRule, level: str | None) -> str | None:
    if rule.caller in ROLE_CALLERS:
        return rule.caller
    if rule.caller == BY_GRADE:
        role = ctx.policy.complaint_roles.get(level or "")
        return role if role in ROLE_CALLERS else None
    return None


def _make(
    ctx: Context,
    cr: CustomerRecords,
    rule: FollowUpRule,
    d: dt.date,
    source: str,
    event_id: str | None,
    role: str | None,
) -> Obligation:
    due = due_after(ctx, rule, d)
    unit = next(c for c in schema.RULE_UNITS if c.zh == rule.unit)
    trigger = next(c for c in schema.RULE_TRIGGERS if c.zh == rule.trigger)
    reason = message(
        "reason.custom_rule",
        code=rule.code,
        name=rule.name,
        trigger=Label(trigger.zh, trigger.en),
        value=rule.trigger_value,
        d=d,
        offset=rule.offset or 0,
        unit=Label(unit.zh, unit.en.lower()),
    )
    return Obligation(
        cr.customer_id,
        rule.code,
        due,
        reason,
        cr.customer.name,
        cr.customer.owner,
        d,
        source,
        event_id,
        rule.call_types,
        rule.hard,
        lapse_date=(
            ctx.cal.add_working_days(due, rule.window_workdays)
            if rule.window_workdays is not None
            else None
        ),
        caller_role=role,
        method=None if rule.method == PHONE else rule.method,
        preferred_time=cr.customer.preferred_time,
    )


def _owned(obligation: Obligation, owner: str | None) -> Obligation:
    from dataclasses import replace

    return replace(obligation, owner=owner) if owner else obligation


def _satisfy(
    obligation: Obligation, calls: list[Call], start: dt.date, exclude: Call | None
) -> Obligation:
    """The first successful call on/after ``start`` (not ``exclude``, the call that started
    it) that names the event or, not naming another, is of one of the rule's 回访类型 (any
    type when the row names none)."""
    from dataclasses import replace

    for call in calls:
        if call is exclude or call.call_date is None or call.call_date < start:
            continue
        if not call.successful:
            continue
        named = bool(obligation.event_id) and call.event_id == obligation.event_id
        other_event = bool(call.event_id) and call.event_id != obligation.event_id
        typed = not obligation.call_types or _call_type(call) in obligation.call_types
        if named or (typed and not other_event):
            return replace(obligation, satisfied_on=call.call_date, satisfied_by=call_ref(call))
    return obligation


def _call_type(call: Call) -> str | None:
    """The call's 回访类型, an office's own included."""
    return _typed(call, "call_type")


def _src(cr: CustomerRecords) -> str:
    c = cr.customer
    return f"{c.src.sheet}!{c.src.row}" if c.src else cr.customer_id
