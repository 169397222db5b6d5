"""Checks on the duties that follow a call or a complaint (REQUIREMENTS P19, P20, P24)."""

from __future__ import annotations

from ..calendar import WorkCalendar
from ..call_duties import COMPLAINT
from ..ruletable import VISIT, RuleTable, due_after
from .base import ERROR, WARNING, Check, Context, check


@check("V19a", WARNING, requirement="REQUIREMENTS P19; 001 制度2 §1, 002 §5")
def visit_report_missing(ctx: Context, check: Check):
    """A successful 上门 call past its report's due day (the P19 row: 1 working day) without a
    回访报告日期, while the report is still worth writing (inside the row's 有效期; past it the
    due list counts it missed, once). A book without the column (an older one) is not asked."""
    table = RuleTable.for_policy(ctx.policy)
    if not table.enabled("P19"):
        return
    rule = table.get("P19")
    method = rule.trigger_value or VISIT
    offset = 1 if rule.offset is None else rule.offset
    cal = WorkCalendar.from_policy(ctx.policy)
    for rec in ctx.book.calls:
        if (
            rec.method != method
            or rec.call_date is None
            or not rec.successful
            or rec.report_date is not None
            or "report_date" in rec.bad
            or rec.call_date > ctx.as_of
        ):
            continue
        info = ctx.book.sheet_info("calls", rec.src.sheet if rec.src else None)
        if info is not None and "report_date" not in info.columns:
            continue
        due = due_after(cal, rec.call_date, offset, rule.unit)
        window = rule.window_workdays
        if ctx.as_of > due and (window is None or ctx.as_of <= cal.add_working_days(due, window)):
            yield ctx.finding(check, rec, "report_date", rec.call_date.isoformat(), due.isoformat())


@check("V19b", ERROR, requirement="REQUIREMENTS P19, P20")
def report_before_call(ctx: Context, check: Check):
    """A 回访报告日期 or 上报主管日期 before the call it reports on."""
    for rec in ctx.book.calls:
        if rec.call_date is None:
            continue
        for key in ("report_date", "escalated_on"):
            day = getattr(rec, key)
            if day is not None and day < rec.call_date:
                yield ctx.finding(check, rec, key, day.isoformat(), rec.call_date.isoformat())


@check("V20", WARNING, requirement="REQUIREMENTS P24; 001 §1.13")
def reply_on_non_complaint(ctx: Context, check: Check):
    """复函=是 on an event that is not a complaint: only a complaint may be answered by letter
    instead of a call (the event's own follow-up is still due). A 复函日期 without 复函=是 is
    fine: a letter sent besides the call (001 §1.10's open letter, say) is worth recording."""
    for rec in ctx.book.events:
        if rec.reply_only and rec.event_type and rec.event_type != COMPLAINT:
            yield ctx.finding(check, rec, "reply_only", rec.event_type)
