"""Checks on the workbook's shape: missing sheets, header rows, duplicated headers, the staff list."""

from __future__ import annotations

from .. import schema
from ..messages import text
from .base import ERROR, WARNING, Check, Context, check


@check(
    "V13",
    ERROR,
    "找不到表头行",
    "header row not found",
    "「{value}」工作表里找不到表头行",
    "no header row found in sheet '{value}'",
    "第一行（或标题下方）应是列名，如 客户编号、客户名称、联系电话",
    "put column names such as 客户编号 in the first row",
    "客户名录簿的第一行是“甲 乙 丙” → V13",
    "foundation: headers in Chinese, English or an alias",
)
def headerless(ctx: Context, check: Check):
    for name in ctx.book.headerless_sheets:
        yield ctx.finding(check, value=name, sheet_name=name)


@check(
    "V14",
    WARNING,
    "表头重复",
    "duplicated header",
    "列名“{value}”出现了两次，只读取了第一列",
    "header '{value}' appears twice; only the first column is read",
    "删除或改名重复的列",
    "delete or rename the duplicate column",
    "两列都叫 客户编号 → V14",
    "",
)
def duplicate_headers(ctx: Context, check: Check):
    for infos in ctx.book.sheets.values():
        for info in infos:
            for h in info.duplicate_headers:
                yield ctx.finding(check, value=h, sheet_name=info.name)


@check(
    "V15",
    WARNING,
    "缺少工作表",
    "sheet missing",
    "工作簿里没有「{value}」工作表",
    "the workbook has no '{value}' sheet",
    "请使用客户回访工作簿模板（followup-xl init）",
    "start from the template (followup-xl init)",
    "只有回访记录表，没有客户名录簿 → V15",
    "",
)
def missing_sheets(ctx: Context, check: Check):
    for sheet in (schema.CUSTOMERS, schema.CALLS):
        if not ctx.book.sheets.get(sheet.key):
            yield ctx.finding(check, value=sheet.zh)


@check(
    "V16",
    WARNING,
    "人员表填写有误",
    "staff list problem",
    "{value}的{extra}",
    "{value}: {extra}",
    "每日回访上限应为正整数；角色从下拉列表选择",
    "daily capacity must be a positive number; pick the role from the list",
    "每日回访上限 0 → V16",
    "W1 daily capacity; V8 roles",
)
def staff_rows(ctx: Context, check: Check):
    for rec in ctx.book.staff:
        if rec.daily_capacity is not None and rec.daily_capacity <= 0:
            yield ctx.finding(
                check, rec, "daily_capacity", rec.name, text("check.capacity_above_zero")
            )
