"""Checks on the workbook's shape: missing sheets, header rows, duplicated headers, the staff list."""

from __future__ import annotations

from .. import schema
from ..messages import message
from .base import ERROR, WARNING, Check, Context, check


@check("V13", ERROR, requirement="foundation: headers in Chinese, English or an alias")
def headerless(ctx: Context, check: Check):
    for name in ctx.book.headerless_sheets:
        yield ctx.finding(check, value=name, sheet_name=name)


@check("V14", WARNING)
def duplicate_headers(ctx: Context, check: Check):
    for infos in ctx.book.sheets.values():
        for info in infos:
            for h in info.duplicate_headers:
                yield ctx.finding(check, value=h, sheet_name=info.name)


@check("V15", WARNING)
def missing_sheets(ctx: Context, check: Check):
    for sheet in (schema.CUSTOMERS, schema.CALLS):
        if not ctx.book.sheets.get(sheet.key):
            yield ctx.finding(check, value=sheet.zh)


@check("V16", WARNING, requirement="W1 daily capacity; V8 roles")
def staff_rows(ctx: Context, check: Check):
    for rec in ctx.book.staff:
        if rec.daily_capacity is not None and rec.daily_capacity <= 0:
            yield ctx.finding(
                check, rec, "daily_capacity", rec.name, message("check.capacity_above_zero")
            )
