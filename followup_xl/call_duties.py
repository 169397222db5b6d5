"""Duties that follow a call or a complaint and are not calls themselves (REQUIREMENTS P19, P20, P24).

* P19 (001 制度2 §1, 002 §5 "回访第二天…填写《客户回访报告表》"): every successful 上门 call makes a
  visit report due the next working day (the 回访规则 row's 期限), ``method="报告"``;
  satisfied by the call's 回访报告日期 — late or not (a late one is flagged ``"late"`` and its reason
  says so). A 回访报告日期 before the call date satisfies nothing (V19b names the cell).
* P20 (003 #5.5 "…并于当日报告相关部门总监"): a call with 客户反映问题 filled makes a report to the
  department head due the call date, hard, ``method="报告"``, satisfied by 上报主管日期
  on or after the call date. While open it is escalated from its due date (``escalate_on``), so the due
  list's escalation view and the schedule's manager page show it. A 问题状态=已解决 on the same call
  does not settle it: the seed asks for every problem raised to be reported "以便及时解决", and the head
  keeps the record of what customers raise (the monthly 回访处理率, M3, counts those same calls).
* P24 (001 §1.13 "…只要求复函的投诉，可不进行回访，但应将复函情况附在投诉表后"): a complaint with 复函=是
  makes no P2 call (``policy.rule_events`` leaves it out) but a reply letter due within the P2 days
  (the P24 row's 期限 when the office sets one), ``method="复函"``, satisfied by the event's 复函日期.
  A withdrawn or closed complaint keeps a reply already recorded and makes no new one, as P2 does;
  an anonymous complaint has nobody to reply to (P10).

Whose list a P19/P20 item is on: the customer's 负责人 (the caller when the customer has none), as
for every customer rule — the caller is usually that person, and when a customer is handed over
(a leaver's calls keep their caller) the open duty must go with the customer, not stay with
someone who has left. The item points at the call (``source``), which names the caller. They carry
no ``event_id``: they are duties about the call, not follow-ups of the event the call names.

Each rule reads its numbers from the 回访规则 table (``ctx.table.get(code)``) and makes nothing when
the row is disabled. Plain data in, obligations out: the policy engine runs these with the others
(``policy.CUSTOMER_RULES``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from .messages import Message, message
from .models import Call, Event
from .obligations import Obligation, call_ref
from .ruletable import (
    BY_GRADE,
    DAYS,
    HEAD,
    LETTER,
    MANAGER,
    REPORT,
    VISIT,
    FollowUpRule,
    due_after,
)

if TYPE_CHECKING:
    from .policy import Context, CustomerRecords

COMPLAINT = "投诉"


def _windowed(ctx: Context, rule: FollowUpRule, obligation: Obligation) -> Obligation:
    """The row's 有效期: after that many working days past the due date an open item is missed."""
    if rule.window_workdays is None:
        return obligation
    return replace(
        obligation,
        lapse_date=ctx.cal.add_working_days(obligation.due_date, rule.window_workdays),
    )


def rule_visit_reports(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P19: a visit report (客户回访报告表) the working day after each successful 上门 call."""
    method = ctx.table.get("P19").trigger_value or VISIT

    def reason(late: bool, d: dt.date, due: dt.date, call: Call) -> Message:
        return message("reason.visit_report_late" if late else "reason.visit_report", d=d, due=due)

    yield from _reports(
        ctx,
        cr,
        "P19",
        1,
        lambda call: call.method == method and call.successful,
        lambda call: call.report_date,
        reason,
    )


def rule_problem_reports(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P20: a problem a customer raised in a call is reported to the department head the same
    day; open, it is the head's to see from the day it was due."""

    def reason(late: bool, d: dt.date, due: dt.date, call: Call) -> Message:
        msg = "reason.problem_report_late" if late else "reason.problem_report"
        return message(msg, d=d, what=call.issue, due=due)

    yield from _reports(
        ctx,
        cr,
        "P20",
        0,
        lambda call: bool((call.issue or "").strip()),
        lambda call: call.escalated_on,
        reason,
        escalate=True,
    )


def _reports(
    ctx: Context,
    cr: CustomerRecords,
    code: str,
    default_offset: int,
    raises: Callable[[Call], bool],
    kept: Callable[[Call], dt.date | None],
    reason: Callable[[bool, dt.date, dt.date, Call], Message],
    escalate: bool = False,
) -> Iterator[Obligation]:
    """P19/P20: a report due after each call that ``raises`` one, closed by the date the call
    keeps (``kept``: 回访报告日期, 上报主管日期), late when kept after it was due; counted per
    caller from the first call whose date that person kept (compute_obligations names whoever
    never did)."""
    if not ctx.table.enabled(code):
        return
    rule = ctx.table.get(code)
    offset = default_offset if rule.offset is None else rule.offset
    since = ctx.recorded_since.get(code, {})
    for call in cr.calls:
        if call.call_date is None or not raises(call):
            continue
        first = since.get(call.caller or "")
        if first is None or call.call_date < first:
            continue  # before the caller began keeping the date
        d = call.call_date
        due = due_after(ctx.cal, d, offset, rule.unit)
        on = kept(call)
        done = on if on and on >= d else None
        late = done is not None and done > due
        obligation = Obligation(
            cr.customer_id,
            code,
            due,
            reason(late, d, due, call),
            cr.customer.name,
            cr.customer.owner or call.caller,
            d,
            call_ref(call),
            None,  # a duty about the call, not a follow-up of the event it names
            (),
            rule.hard,
            satisfied_on=done,
            satisfied_by=call_ref(call) if done else None,
            flags=("late",) if late else (),
            escalate_on=due if escalate else None,
            method=REPORT,
        )
        yield _windowed(ctx, rule, obligation)


def reply_only(ev: Event) -> bool:
    """A complaint the office answers by letter only (复函=是): P24, never a P2 call."""
    return bool(ev.reply_only) and ev.event_type == COMPLAINT


def rule_reply_letters(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P24: a reply-only complaint's letter, due within the complaint days, closed by 复函日期."""
    if not ctx.table.enabled("P24"):
        return
    rule = ctx.table.get("P24")
    days_rule = rule if rule.offset is not None else ctx.table.get("P2")
    offset = days_rule.offset if days_rule.offset is not None else ctx.policy.complaint_days
    unit = days_rule.unit or DAYS
    for ev in cr.events:
        d = ev.event_date
        if d is None or not reply_only(ev) or ev.anonymous:
            continue
        due = due_after(ctx.cal, d, offset, unit)
        sent = ev.reply_date if ev.reply_date and ev.reply_date >= d else None
        if ev.is_closed and sent is None:
            continue  # withdrawn or closed: no new duty (as rule_events does for P2)
        eid = ev.event_id or ""
        source = ev.event_id or (f"{ev.src.sheet}!{ev.src.row}" if ev.src else cr.customer_id)
        obligation = Obligation(
            cr.customer_id,
            "P24",
            due,
            message("reason.reply_letter", eid=eid, d=d, due=due),
            cr.customer.name,
            ev.owner or cr.customer.owner,
            d,
            source,
            ev.event_id,
            (),
            rule.hard,
            satisfied_on=sent,
            satisfied_by=source if sent else None,
            flags=("late",) if sent and sent > due else (),
            method=LETTER,
        )
        yield _windowed(ctx, rule, obligation)


CALL_DUTY_RULES = (rule_visit_reports, rule_problem_reports, rule_reply_letters)


STAFF_ROLE = "员工"  # complaint_roles' word for "the owner calls" (一般)
DEFAULT_LEVEL = "一般"  # a complaint without a 投诉等级


def complaint_role(ctx: Context, ev: Event) -> str | None:
    """W4 (001 §1.3): who must make a complaint's follow-up, as the P2 row's 回访人 says —
    按投诉等级 (the default): 一般 → the owner (None), 重要 → 部门主管, 重大 → 公司经理, through
    ``policy.complaint_roles``; 部门主管 / 公司经理: always that role; 负责人: the owner."""
    caller = ctx.table.get("P2").caller
    if caller == BY_GRADE:
        role = ctx.policy.complaint_roles.get(ev.complaint_level or DEFAULT_LEVEL)
    elif caller in (HEAD, MANAGER):
        role = caller
    else:
        role = None
    return None if role in (None, STAFF_ROLE) else role


def role_word(role: str) -> Message | str:
    """A role as a reason names it, in the reader's language (部门主管 → "department head")."""
    if role == HEAD:
        return message("duty.role.head")
    if role == MANAGER:
        return message("duty.role.manager")
    return role
