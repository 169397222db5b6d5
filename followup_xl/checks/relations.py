"""Checks across records: duplicates, unknown or void customers, visits, open issues, complaints."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from ..messages import message
from ..models import Call, Customer, Event
from .base import ERROR, WARNING, Check, Context, check

ROLE_RANK = {"员工": 0, "部门主管": 1, "公司经理": 2}


@check("V3a", ERROR, requirement="REQUIREMENTS V3")
def duplicate_ids(ctx: Context, check: Check):
    rows = defaultdict(list)
    for rec in ctx.book.customers:
        if rec.customer_id:
            rows[rec.customer_id].append(rec)
    for cid, recs in rows.items():
        if len(recs) > 1:
            for rec in recs[1:]:
                yield ctx.finding(
                    check,
                    rec,
                    "customer_id",
                    cid,
                    message("api.row", row=recs[0].src.row) if recs[0].src else "",
                )


@check("V3b", WARNING, requirement="REQUIREMENTS V3")
def duplicate_phones(ctx: Context, check: Check):
    first: dict[str, Customer] = {}
    for rec in ctx.book.customers:
        if not rec.phone or not rec.customer_id:
            continue
        other = first.setdefault(rec.phone, rec)
        if other is not rec and other.customer_id != rec.customer_id:
            yield ctx.finding(check, rec, "phone", rec.phone, other.customer_id)


@check("V4a", ERROR, requirement="REQUIREMENTS V4")
def unknown_customers(ctx: Context, check: Check):
    if not ctx.book.sheets.get("customers"):
        return  # a call log on its own: nothing to compare with (V15 says the sheet is missing)
    known = {customer.customer_id for customer in ctx.book.customers if customer.customer_id}
    linked: list[Call | Event] = [*ctx.book.calls, *ctx.book.events]
    for rec in linked:
        if rec.customer_id and rec.customer_id not in known:
            yield ctx.finding(check, rec, "customer_id", rec.customer_id)


@check("V4b", WARNING, requirement="REQUIREMENTS V4; 003 废除")
def void_customers(ctx: Context, check: Check):
    void = {customer.customer_id for customer in ctx.book.customers if customer.is_void}
    for rec in ctx.book.calls:
        if rec.customer_id in void:
            yield ctx.finding(check, rec, "customer_id", rec.customer_id)


@check("V4c", WARNING, requirement="issue 15: do-not-call")
def do_not_call_customers(ctx: Context, check: Check):
    since = {
        customer.customer_id: customer.status_since
        for customer in ctx.book.customers
        if customer.do_not_call and customer.customer_id and customer.status_since
    }  # no 状态日期: no day to compare with
    for rec in ctx.book.calls:
        if rec.customer_id in since and rec.call_date and rec.call_date >= since[rec.customer_id]:
            yield ctx.finding(check, rec, "call_date", rec.customer_id, since[rec.customer_id])


@check("V17", WARNING, requirement="issue 15: closing an event")
def closed_without_call(ctx: Context, check: Check):
    from ..call_duties import reply_only
    from ..duties import EVENT_DUTIES
    from ..policy import EVENT_RULES

    followed = {**EVENT_RULES, **EVENT_DUTIES}  # 事项类型 → (rule, the 回访类型 that follow it up)

    calls: dict[str, list[tuple[dt.date, Call]]] = defaultdict(list)  # id → dated successful calls
    for call in ctx.book.calls:
        if call.customer_id and call.call_date and call.successful:
            calls[call.customer_id].append((call.call_date, call))
    for ev in ctx.book.events:
        if (
            ev.status != "已办结"
            or (ev.closing_note or "").strip()
            or ev.event_type not in followed
            or reply_only(ev)  # answered by letter, never called (P24)
        ):
            continue
        types = followed[ev.event_type][1]
        matched = any(
            (ev.event_id and call.event_id == ev.event_id)
            or (
                call.call_type in types
                and not call.event_id
                and (ev.event_date is None or day >= ev.event_date)
            )
            for day, call in calls.get(ev.customer_id or "", ())
        )
        if not matched:
            yield ctx.finding(check, ev, "closing_note", ev.event_id or ev.customer_id)


@check("V6a", ERROR, requirement="REQUIREMENTS V6")
def visit_signature(ctx: Context, check: Check):
    for rec in ctx.book.calls:
        if rec.method == "上门" and not rec.signature:
            yield ctx.finding(check, rec, "signature")


PHONE_WORDS = re.compile(r"电话|致电|通话|来电|打电话")


@check("V6b", WARNING, requirement="REQUIREMENTS V6; 001 §1.7")
def phone_method(ctx: Context, check: Check):
    for rec in ctx.book.calls:
        if (
            rec.method in ("短信", "微信", "邮件")
            and rec.content
            and PHONE_WORDS.search(rec.content)
        ):
            yield ctx.finding(check, rec, "method", rec.method)


@check("V7", ERROR, requirement="REQUIREMENTS V7; 001 §1.9")
def open_issue_next(ctx: Context, check: Check):
    for rec in ctx.book.calls:
        if rec.issue_status == "未解决" and rec.next_date is None and "next_date" not in rec.bad:
            yield ctx.finding(check, rec, "next_date")


@check("V8", ERROR, requirement="REQUIREMENTS V8; 001 §1.3")
def complaint_level(ctx: Context, check: Check):
    if not ctx.roles:
        return
    needed = ctx.policy.complaint_roles
    for rec in ctx.book.calls:
        if rec.call_type != "投诉" or not rec.complaint_level or not rec.caller:
            continue
        want = needed.get(rec.complaint_level)
        have = ctx.roles.get(rec.caller)
        if want and have and ROLE_RANK.get(have, 0) < ROLE_RANK.get(want, 0):
            yield ctx.finding(check, rec, "caller", rec.complaint_level, want)


@check("V10", WARNING, requirement="REQUIREMENTS V10; 001 §1.12")
def duplicate_complaints(ctx: Context, check: Check):
    seen: dict[tuple[str, str], Event] = {}
    for rec in ctx.book.events:
        if rec.event_type == "投诉" and rec.customer_id and rec.description:
            key = (rec.customer_id, rec.description.strip())
            if key in seen:
                yield ctx.finding(check, rec, "description", rec.customer_id, rec.description)
            seen.setdefault(key, rec)
    seen_calls: dict[tuple[str, str, dt.date | None], Call] = {}
    for call in ctx.book.calls:
        if call.call_type == "投诉" and call.customer_id and call.issue and not call.event_id:
            call_key = (call.customer_id, call.issue.strip(), call.call_date)
            if call_key in seen_calls and seen_calls[call_key].caller != call.caller:
                yield ctx.finding(check, call, "issue", call.customer_id, call.issue)
            seen_calls.setdefault(call_key, call)
