"""`followup-xl schedule` and `followup-xl weekly`: the Sunday plan and the Monday summary."""

from __future__ import annotations

import click

from .. import api
from .common import as_of_option, date_option, emit_json, guarded, json_option, lang_option, policy_option, today


@click.command("schedule")
@click.argument("book", type=click.Path(dir_okay=False))
@date_option("--week-of", "Any day of the week to plan (default: the coming week). 排期周内任一天。")
@as_of_option
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), default=None,
              help="Write the 回访排期表 workbook here. 输出排期表。")
@click.option("--owner", default=None, help="Only this person's plan. 只排某人。")
@click.option("--mask-phones", is_flag=True, help="Mask phone numbers in the workbook. 隐藏电话中间位。")
@policy_option
@lang_option
@json_option
@guarded
def schedule(book, week_of, as_of, out, owner, mask_phones, policy_path, lang, as_json):
    """Plan next week's follow-up calls per person (the Sunday 回访排期表).

    排期：逾期优先、按应回访日期，每隔2个工作日分批，不超过每人每日上限，节假日与调休照排；
    排不下的列入「排不下」并说明原因；每人每周约访一行待填；经理核定栏与签字行。
    """
    result = api.schedule(book, week_of=week_of, as_of=as_of or today(), out=out, owner=owner,
                          policy_path=policy_path, mask_phones=mask_phones)
    if as_json:
        emit_json(result)
        return
    zh = lang == "zh"
    click.echo(f"{result['week_start']} – {result['week_end']}: "
               + (f"已排 {len(result['items'])}，排不下 {len(result['unscheduled'])}" if zh else
                  f"{len(result['items'])} planned, {len(result['unscheduled'])} could not be scheduled"))
    if out:
        click.echo(out)


@click.command("weekly")
@click.argument("book", type=click.Path(dir_okay=False))
@date_option("--week-of", "Any day of the week to summarise (default: last week). 周报所在周任一天。")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), default=None,
              help="Write the 周报 workbook here. 输出周报。")
@policy_option
@lang_option
@json_option
@guarded
def weekly(book, week_of, out, policy_path, lang, as_json):
    """Summarise a week per person (the Monday 周报): deals, new customers, calls, visits.

    周报：成交量、新增客户、回访记录及结果、约访是否达标、技术咨询回访（周目标）、周末逾期数；
    另附在施及本周竣工工程（周例会材料）。周一放假时提前至周日报送。
    """
    import datetime as dt

    day = week_of or (today() - dt.timedelta(days=7))
    result = api.weekly(book, day, out=out, policy_path=policy_path)
    if as_json:
        emit_json(result)
        return
    for r in result["by_owner"]:
        click.echo(f"{r['owner']:<8} 成交 {r['deals']:>3}  新增 {r['new_customers']:>3}  回访 {r['calls']:>4}  "
                   f"约访 {r['appointments']}  咨询 {r['consultation_followups']}  逾期 {r['overdue']}")
    if out:
        click.echo(out)
