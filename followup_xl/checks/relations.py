"""Checks across records: duplicates, unknown or void customers, visits, open issues, complaints."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from ..messages import text
from ..models import Call, Customer, Event
from .base import ERROR, WARNING, Check, Context, check

ROLE_RANK = {"员工": 0, "部门主管": 1, "公司经理": 2}


@check(
    "V3a",
    ERROR,
    "客户编号重复",
    "duplicate customer id",
    "客户编号“{value}”在客户名录簿中出现多次（另见{extra}）",
    "customer id '{value}' appears more than once (also {extra})",
    "一位客户只登记一行；请合并或改用新编号",
    "one row per customer: merge the rows or give a new id",
    "两行客户编号都是 K1001 → V3a",
    "REQUIREMENTS V3",
)
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
                    text("api.row", row=recs[0].src.row) if recs[0].src else "",
                )


@check(
    "V3b",
    WARNING,
    "同一电话登记在多个客户下",
    "same phone under two customer ids",
    "电话 {value} 也登记在客户 {extra} 名下",
    "phone {value} is also registered for customer {extra}",
    "请核实是否为同一客户，是则合并",
    "check whether it is the same customer; if so, merge",
    "K1001 与 K1002 的联系电话都是 13800138000 → V3b",
    "REQUIREMENTS V3",
)
def duplicate_phones(ctx: Context, check: Check):
    first: dict[str, Customer] = {}
    for rec in ctx.book.customers:
        if not rec.phone or not rec.customer_id:
            continue
        other = first.setdefault(rec.phone, rec)
        if other is not rec and other.customer_id != rec.customer_id:
            yield ctx.finding(check, rec, "phone", rec.phone, other.customer_id)


@check(
    "V4a",
    ERROR,
    "客户编号不在客户名录簿中",
    "call for an unknown customer",
    "客户编号“{value}”在客户名录簿中找不到",
    "customer id '{value}' is not in the customer book",
    "请先在客户名录簿登记该客户，或改正编号",
    "register the customer first, or correct the id",
    "回访记录的客户编号 K9999 不存在 → V4a",
    "REQUIREMENTS V4",
)
def unknown_customers(ctx: Context, check: Check):
    if not ctx.book.sheets.get("customers"):
        return  # a call log on its own: nothing to compare with (V15 says the sheet is missing)
    known = {customer.customer_id for customer in ctx.book.customers if customer.customer_id}
    linked: list[Call | Event] = [*ctx.book.calls, *ctx.book.events]
    for rec in linked:
        if rec.customer_id and rec.customer_id not in known:
            yield ctx.finding(check, rec, "customer_id", rec.customer_id)


@check(
    "V4b",
    WARNING,
    "回访已废除的客户",
    "call for a void customer",
    "客户“{value}”已标记为废除",
    "customer '{value}' is marked void (废除)",
    "废除客户不再回访；如客户恢复，请把状态改回正常",
    "void customers are not called; set the status back to 正常 if revived",
    "状态为废除的 K1003 有新回访 → V4b",
    "REQUIREMENTS V4; 003 废除",
)
def void_customers(ctx: Context, check: Check):
    void = {customer.customer_id for customer in ctx.book.customers if customer.is_void}
    for rec in ctx.book.calls:
        if rec.customer_id in void:
            yield ctx.finding(check, rec, "customer_id", rec.customer_id)


@check(
    "V4c",
    WARNING,
    "回访了要求停止回访的客户",
    "call to a customer who asked not to be called",
    "客户“{value}”自{extra}起停止回访",
    "customer '{value}' asked not to be called from {extra}",
    "停止回访的客户不再回访；如客户同意恢复，请把状态改回正常",
    "do not call; set the status back to 正常 if the customer agrees",
    "K1003 状态 停止回访（状态日期 2026-10-01），2026-10-05 又有回访 → V4c",
    "issue 15: do-not-call",
)
def do_not_call_customers(ctx: Context, check: Check):
    since = {
        customer.customer_id: customer.status_since
        for customer in ctx.book.customers
        if customer.do_not_call and customer.customer_id and customer.status_since
    }  # no 状态日期: no day to compare with
    for rec in ctx.book.calls:
        if rec.customer_id in since and rec.call_date and rec.call_date >= since[rec.customer_id]:
            yield ctx.finding(check, rec, "call_date", rec.customer_id, since[rec.customer_id])


@check(
    "V17",
    WARNING,
    "事项已办结但没有回访记录",
    "event closed without a matching call",
    "事项“{value}”已办结，但找不到相应的回访记录",
    "event '{value}' is closed but no matching call was found",
    "请在办结说明里写明如何办结（或补登回访记录）",
    "say in 办结说明 how it was closed (or log the call)",
    "投诉 E1 状态 已办结，无回访、办结说明为空 → V17",
    "issue 15: closing an event",
)
def closed_without_call(ctx: Context, check: Check):
    from ..policy import EVENT_RULES

    calls: dict[str, list[tuple[dt.date, Call]]] = defaultdict(list)  # id → dated successful calls
    for call in ctx.book.calls:
        if call.customer_id and call.call_date and call.successful:
            calls[call.customer_id].append((call.call_date, call))
    for ev in ctx.book.events:
        if (
            ev.status != "已办结"
            or (ev.closing_note or "").strip()
            or ev.event_type not in EVENT_RULES
        ):
            continue
        types = EVENT_RULES[ev.event_type][1]
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


@check(
    "V6a",
    ERROR,
    "上门回访没有客户签名",
    "visit without the customer's signature",
    "上门回访须有客户签名",
    "a visit needs the customer's signature",
    "请补上客户签名（回访单签字）",
    "add the customer's signature",
    "回访方式 上门，客户签名为空 → V6a",
    "REQUIREMENTS V6",
)
def visit_signature(ctx: Context, check: Check):
    for rec in ctx.book.calls:
        if rec.method == "上门" and not rec.signature:
            yield ctx.finding(check, rec, "signature")


PHONE_WORDS = re.compile(r"电话|致电|通话|来电|打电话")


@check(
    "V6b",
    WARNING,
    "电话回访未登记为电话",
    "phone follow-up not recorded as 电话",
    "回访内容提到电话，但回访方式是“{value}”",
    "the content mentions a phone call but the method is '{value}'",
    "电话回访的回访方式请填“电话”",
    "record a phone follow-up with method 电话",
    "方式 短信，内容“电话询问…” → V6b",
    "REQUIREMENTS V6; 001 §1.7",
)
def phone_method(ctx: Context, check: Check):
    for rec in ctx.book.calls:
        if (
            rec.method in ("短信", "微信", "邮件")
            and rec.content
            and PHONE_WORDS.search(rec.content)
        ):
            yield ctx.finding(check, rec, "method", rec.method)


@check(
    "V7",
    ERROR,
    "问题未解决却没有下次回访日期",
    "open issue without a next call date",
    "问题状态为未解决，但没有下次回访日期",
    "the issue is open but no next call date is set",
    "请填写下次回访日期（问题解决前须再次回访）",
    "set a next call date: call again until it is resolved",
    "问题状态 未解决，下次回访日期为空 → V7",
    "REQUIREMENTS V7; 001 §1.9",
)
def open_issue_next(ctx: Context, check: Check):
    for rec in ctx.book.calls:
        if rec.issue_status == "未解决" and rec.next_date is None and "next_date" not in rec.bad:
            yield ctx.finding(check, rec, "next_date")


@check(
    "V8",
    ERROR,
    "投诉回访级别不对",
    "complaint followed up at the wrong level",
    "{value}投诉应由{extra}回访",
    "a {value} complaint must be followed up by a {extra}",
    "一般投诉由员工、重要投诉由部门主管、重大投诉由公司经理回访",
    "minor by staff, important by the department head, major by the company manager",
    "重大投诉由员工张伟回访 → V8",
    "REQUIREMENTS V8; 001 §1.3",
)
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


@check(
    "V10",
    WARNING,
    "同一投诉重复登记",
    "the same complaint recorded twice",
    "客户{value}的同一问题“{extra}”已登记过",
    "the same issue '{extra}' of customer {value} is already recorded",
    "同一投诉只登记一条（不同部门不要重复登记）",
    "record one complaint once, not once per department",
    "两个部门都登记了 K1001 的“墙面开裂”投诉 → V10",
    "REQUIREMENTS V10; 001 §1.12",
)
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
