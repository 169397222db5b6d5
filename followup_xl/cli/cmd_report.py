"""`followup-xl report` and `followup-xl scores`: the month and the year."""

from __future__ import annotations

import re

import click

from .. import api
from ..errors import UsageError
from .common import as_of_option, emit_json, guarded, json_option, lang_option, policy_option, today


def _month(ctx, param, value):
    if value is None:
        d = today().replace(day=1)
        import datetime as dt

        prev = d - dt.timedelta(days=1)
        return f"{prev.year:04d}-{prev.month:02d}"
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise click.BadParameter(f"应为 YYYY-MM (expected YYYY-MM): {value!r}")
    return value


@click.command("report")
@click.argument("book", type=click.Path(dir_okay=False))
@click.option("--month", callback=_month, metavar="YYYY-MM", help="The month (default: last month). 月份。")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), default=None,
              help="Write the 客户回访月报 workbook here. 输出月报。")
@click.option("--mask-phones", is_flag=True, help="Mask phone numbers in the report. 隐藏电话中间位。")
@policy_option
@lang_option
@json_option
@guarded
def report(book, month, out, mask_phones, policy_path, lang, as_json):
    """The monthly report: planned, done and successful follow-ups, satisfaction, targets.

    月报：本月应回访数量、实施回访数量及百分比、成功回访数量及百分比、满意度、客户反映问题、
    投诉/维修/活动回访率是否达标、技术咨询回访、投诉责任对象、与上月及去年同月对比，附图表。
    """
    r = api.report(book, month, out=out, policy_path=policy_path, mask_phones=mask_phones)
    if as_json:
        emit_json(r)
        return
    click.echo(f"{r['month']}: 应回访 {r['planned']}，实施 {r['done']}（{r['done_pct']}%），"
               f"成功 {r['successful']}（{r['successful_pct']}%），满意度 {r['satisfaction_avg']}")
    if out:
        click.echo(out)


@click.command("scores")
@click.argument("book", type=click.Path(dir_okay=False))
@click.option("--year", type=int, default=None, help="The year (default: this year). 年份。")
@as_of_option
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), default=None,
              help="Write the 考核 workbook here. 输出考核表。")
@policy_option
@lang_option
@json_option
@guarded
def scores(book, year, as_of, out, policy_path, lang, as_json):
    """Staff scores: monthly points per target met, yearly score, bonus eligibility.

    电话回访员考核：每月达标项目得分，年度分 = 各月得分之和 ÷ 在职月数，年度分达标且在职满3个月有年终奖资格。
    """
    year = year or today().year
    if not 2000 <= year <= 2100:
        raise UsageError("年份不合理", "unreasonable year")
    s = api.scores(book, year, out=out, policy_path=policy_path, as_of=as_of)
    if as_json:
        emit_json(s)
        return
    for p in s["staff"]:
        click.echo(f"{p['name']:<8} 年度分 {p['yearly_score']}  {'有' if p['bonus_eligible'] else '无'}年终奖资格 "
                   f"{p['not_eligible_reason']}")
    if out:
        click.echo(out)
