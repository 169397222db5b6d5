"""Entry checks on single values: required fields, phones, dates, dropdowns, unreadable text."""

from __future__ import annotations

import datetime as dt
import re

from ..dating import latest_year, yearless
from ..messages import message
from ..schema import fold
from .base import ERROR, WARNING, Check, Context, check

REQUIRED = {
    "customers": ("customer_id", "name", "phone"),
    "calls": ("customer_id", "call_date", "method", "call_type", "caller", "content"),
    "events": ("event_id", "customer_id", "event_type", "event_date"),
}


@check("V1", ERROR, requirement="REQUIREMENTS V1; 000 详细、属实、标注时间")
def required(ctx: Context, check: Check):
    for sheet, keys in REQUIRED.items():
        for rec in ctx.book.records(sheet):
            for key in keys:
                if getattr(rec, key) is None and key not in rec.bad:
                    yield ctx.finding(check, rec, key)


@check("V2", ERROR, requirement="REQUIREMENTS V2")
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


@check("V5a", ERROR, requirement="REQUIREMENTS V5")
def future_calls(ctx: Context, check: Check):
    for rec in ctx.book.calls:
        if rec.call_date and rec.call_date > ctx.as_of:
            yield ctx.finding(
                check, rec, "call_date", rec.call_date.isoformat(), ctx.as_of.isoformat()
            )


@check("V5b", ERROR, requirement="REQUIREMENTS V5")
def next_after_call(ctx: Context, check: Check):
    for rec in ctx.book.calls:
        if rec.next_date and rec.call_date and rec.next_date <= rec.call_date:
            yield ctx.finding(
                check, rec, "next_date", rec.next_date.isoformat(), rec.call_date.isoformat()
            )


@check("V9", ERROR, requirement="REQUIREMENTS V9")
def dropdowns(ctx: Context, check: Check):
    from ..ruletable import RuleTable

    # an 事项类型 (and 回访类型) the office's own 回访规则 rows name, such as 安装, is a value
    office = {fold(t) for t in RuleTable.for_policy(ctx.policy).office_event_types()}
    for sheet_key in ("customers", "calls", "events", "staff", "holidays"):
        for rec in ctx.book.records(sheet_key):
            for key, raw in rec.bad.items():
                if key in ("event_type", "call_type") and fold(raw) in office:
                    continue
                if getattr(raw, "expected", "") in ("choice", "satisfaction"):
                    col = rec.SHEET.column(key)
                    yield ctx.finding(check, rec, key, raw, " / ".join(col.choice_labels()))


@check("V12", ERROR, requirement="issue 3: a date typed as text that cannot be read is an error")
def unreadable(ctx: Context, check: Check):
    kinds = {
        "date": message("check.expected_date"),
        "time": message("check.expected_time"),
        "int": message("check.expected_whole_number"),
        "error": message("check.expected_value_not_error"),
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
    requirement="issue 28: a date without a year is read in the latest year not after today, never dropped",
)
def without_year(ctx: Context, check: Check):
    for sheet_key in YEARLESS_SHEETS:
        for rec in ctx.book.records(sheet_key):
            for key, raw in rec.bad.items():
                day = _read_in_year(ctx, rec, key, raw)
                if day is not None:
                    yield ctx.finding(check, rec, key, raw, day.isoformat())


@check("V11", WARNING, requirement="REQUIREMENTS V11; 004 客户资料确认")
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
                yield ctx.finding(check, rec, key, None, message(label))
