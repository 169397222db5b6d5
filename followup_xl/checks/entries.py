"""Entry checks on single values: required fields, phones, dates, dropdowns, unreadable text."""

from __future__ import annotations

import datetime as dt
import re

from ..dating import latest_year, yearless
from ..messages import text
from .base import ERROR, WARNING, Check, Context, check

REQUIRED = {
    "customers": ("customer_id", "name", "phone"),
    "calls": ("customer_id", "call_date", "method", "call_type", "caller", "content"),
    "events": ("event_id", "customer_id", "event_type", "event_date"),
}


@check(
    "V1",
    ERROR,
    "必填项缺失",
    "required field missing",
    "「{column}」没有填写",
    "{column} is empty",
    "请补填：客户须有编号、名称、电话；回访记录须写明日期、方式、类型、回访人和内容（详细、属实）",
    "fill it in: a customer needs an id, name and phone; a call needs its date, method, type, caller and content",
    "回访记录表 第7行 回访内容为空 → V1",
    "REQUIREMENTS V1; 000 详细、属实、标注时间",
)
def required(ctx: Context, check: Check):
    for sheet, keys in REQUIRED.items():
        for rec in ctx.book.records(sheet):
            for key in keys:
                if getattr(rec, key) is None and key not in rec.bad:
                    yield ctx.finding(check, rec, key)


@check(
    "V2",
    ERROR,
    "电话号码无效",
    "invalid phone number",
    "「{column}」的“{value}”不是有效的手机或座机号码",
    "{column} '{value}' is not a valid mainland mobile or landline",
    "手机为 11 位（如 13800138000），座机带区号（如 0755-26881234）",
    "mobiles have 11 digits (13800138000); landlines need the area code (0755-26881234)",
    "联系电话 1380013800（10 位）→ V2",
    "REQUIREMENTS V2",
)
def phones(ctx: Context, check: Check):
    for sheet in ("customers", "staff"):
        for rec in ctx.book.records(sheet):
            raw = rec.bad.get("phone")
            if (
                raw is not None
                and getattr(raw, "expected", "phone") == "phone"
                and not MASKED_PHONE.match(raw)
            ):
                yield ctx.finding(check, rec, "phone", raw)


# 138****5678, 0755-****1234: a phone split --staff-variant masked on purpose (the master has the real one)
MASKED_PHONE = re.compile(r"^\s*[\d-]*\*{2,}\d*\s*$")


@check(
    "V5a",
    ERROR,
    "回访日期在将来",
    "call date in the future",
    "回访日期 {value} 晚于今天（{extra}）",
    "call date {value} is after today ({extra})",
    "请核对日期：只登记已经发生的回访",
    "check the date: only record calls that happened",
    "回访日期 2026-12-01，今天 2026-11-22 → V5a",
    "REQUIREMENTS V5",
)
def future_calls(ctx: Context, check: Check):
    for rec in ctx.book.calls:
        if rec.call_date and rec.call_date > ctx.as_of:
            yield ctx.finding(
                check, rec, "call_date", rec.call_date.isoformat(), ctx.as_of.isoformat()
            )


@check(
    "V5b",
    ERROR,
    "下次回访日期不晚于回访日期",
    "next call date not after the call",
    "下次回访日期 {value} 不晚于本次回访日期 {extra}",
    "next call date {value} is not after the call date {extra}",
    "下次回访日期应在本次回访之后",
    "the next call must come after this one",
    "回访日期 2026-11-10，下次回访日期 2026-11-10 → V5b",
    "REQUIREMENTS V5",
)
def next_after_call(ctx: Context, check: Check):
    for rec in ctx.book.calls:
        if rec.next_date and rec.call_date and rec.next_date <= rec.call_date:
            yield ctx.finding(
                check, rec, "next_date", rec.next_date.isoformat(), rec.call_date.isoformat()
            )


@check(
    "V9",
    ERROR,
    "不在下拉列表中的值",
    "value outside the dropdown list",
    "「{column}」的“{value}”不在可选值中（可选：{extra}）",
    "{column} '{value}' is not an allowed value ({extra})",
    "请从下拉列表中选择",
    "pick a value from the dropdown",
    "回访方式 “电联” → V9（应为 电话）",
    "REQUIREMENTS V9",
)
def dropdowns(ctx: Context, check: Check):
    for sheet_key in ("customers", "calls", "events", "staff", "holidays"):
        for rec in ctx.book.records(sheet_key):
            for key, raw in rec.bad.items():
                if getattr(raw, "expected", "") in ("choice", "satisfaction"):
                    col = rec.SHEET.column(key)
                    yield ctx.finding(check, rec, key, raw, " / ".join(col.choice_labels()))


@check(
    "V12",
    ERROR,
    "无法识别的值",
    "unreadable value",
    "「{column}」的“{value}”无法识别为{extra}",
    "{column} '{value}' cannot be read as {extra}",
    "日期写成 2026-03-05 或 2026/3/5，时间写成 14:30，数字只写数字；#N/A 等错误值请改正公式",
    "write dates as 2026-03-05 or 2026/3/5, times as 14:30, numbers as digits; fix formulas showing #N/A",
    "回访日期 “2026年13月5日” → V12",
    "issue 3: a date typed as text that cannot be read is an error",
)
def unreadable(ctx: Context, check: Check):
    kinds = {
        "date": text("check.expected_date"),
        "time": text("check.expected_time"),
        "int": text("check.expected_whole_number"),
        "error": text("check.expected_value_not_error"),
    }
    for sheet_key in ("customers", "calls", "events", "staff", "holidays", "rules"):
        for rec in ctx.book.records(sheet_key):
            for key, raw in rec.bad.items():
                exp = getattr(raw, "expected", "")
                if exp in kinds and not _read_in_year(ctx, rec, key, raw):
                    yield ctx.finding(check, rec, key, raw, kinds[exp])


def _read_in_year(ctx: Context, rec, key: str, raw) -> dt.date | None:
    """The day a date typed without a year is read as (V12a), on the sheets counts read."""
    if getattr(raw, "expected", "") != "date" or rec.SHEET.key not in YEARLESS_SHEETS:
        return None
    md = yearless(raw)
    return latest_year(*md, ctx.as_of) if md else None


YEARLESS_SHEETS = ("customers", "calls", "events")


@check(
    "V12a",
    WARNING,
    "日期没有写年份",
    "date without a year",
    "「{column}」的“{value}”没有写年份，按 {extra} 计",
    "{column} '{value}' has no year: read as {extra}",
    "请写上年份（如 2026-11-23），以免跨年时算错",
    "add the year (2026-11-23) so it is not read in the wrong year",
    "回访日期 “11月23日”，今天 2026-11-22 → V12a（按 2025-11-23 计）",
    "issue 28: a date without a year is read in the latest year not after today, never dropped",
)
def without_year(ctx: Context, check: Check):
    for sheet_key in YEARLESS_SHEETS:
        for rec in ctx.book.records(sheet_key):
            for key, raw in rec.bad.items():
                day = _read_in_year(ctx, rec, key, raw)
                if day is not None:
                    yield ctx.finding(check, rec, key, raw, day.isoformat())


@check(
    "V11",
    WARNING,
    "客户资料未确认",
    "customer record not confirmed",
    "客户资料缺少{extra}",
    "the record has no {extra}",
    "建档后须由建档人登记、核实人核实，资料才算有效",
    "a record is valid once it has a filer and a verifier",
    "建档人为空 → V11",
    "REQUIREMENTS V11; 004 客户资料确认",
)
def filed_verified(ctx: Context, check: Check):
    custs = ctx.book.customers
    info = ctx.book.sheet_info("customers")
    uses = ctx.policy.require_filed_verified or (
        info is not None
        and "filed_by" in info.columns
        and "verified_by" in info.columns
        and any(customer.verified_by or customer.filed_by for customer in custs)
    )
    if not uses:
        return
    for rec in custs:
        if rec.is_void:
            continue
        for key, label in (("filed_by", "check.filer"), ("verified_by", "check.verifier")):
            if not getattr(rec, key):
                yield ctx.finding(check, rec, key, None, text(label))
