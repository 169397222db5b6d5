"""`followup-xl schedule`: the Sunday plan of next week's calls per person."""

from __future__ import annotations

from collections import Counter

import click

from .. import api
from ..messages import render
from .common import (
    as_of_option,
    date_option,
    echo,
    echo_warnings,
    emit_json,
    guarded,
    json_option,
    lang_option,
    output_option,
    policy_option,
    today,
)


@click.command("schedule")
@click.argument("book", type=click.Path(dir_okay=False))
@date_option(
    "--week-of", "Any day of the week to plan (default: the week after --as-of). 排期周内任一天。"
)
@as_of_option
@output_option("Write the 回访排期表 workbook here (.xlsx). 输出排期表。")
@click.option("--owner", default=None, help="Only this person's plan. 只排某人。")
@click.option(
    "--mask-phones",
    is_flag=True,
    help="Mask phone numbers (138****1234) in the workbook. 隐藏电话中间位。",
)
@policy_option
@lang_option
@json_option
@guarded
def schedule(book, week_of, as_of, out, owner, mask_phones, policy_path, lang, as_json):
    """Plan a week of follow-up calls per person (the Sunday 回访排期表).

    排期：上周转入和逾期的优先，再按应回访日期；每隔2个工作日分批（批次日排满时加排），
    不超过每人每日上限，节假日不排、调休上班日照排；离职人员的转给经理；排不下的列入
    「排不下」并说明原因；每人每周约访一行待填；经理核定栏与签字行。
    """
    result = api.schedule(
        book,
        out,
        week_of=week_of,
        as_of=as_of or today(),
        owner=owner,
        policy_path=policy_path,
        mask_phones=mask_phones,
        lang=lang,
    )
    if as_json:
        emit_json(result, lang)
        return
    echo_warnings(result.warnings, lang)
    plan = result.plan
    # calls = one customer on one day (what 汇总 counts); reasons = the items behind them
    calls = Counter(o for o, _d, _c in {(i.owner, i.date, i.customer_id) for i in plan.items})
    missed = Counter(u.owner for u in plan.unscheduled)
    for name in sorted(set(calls) | set(missed)):
        echo(
            f"{name:<8} "
            + (render("schedule.owner_line", lang, calls=calls[name], missed=missed[name]))
        )
    total, reasons = sum(calls.values()), len(plan.items)
    echo(
        f"{plan.week_start.isoformat()} – {plan.week_end.isoformat()}: "
        + (
            render(
                "schedule.summary",
                lang,
                total=total,
                reasons=reasons,
                n_unscheduled=len(plan.unscheduled),
            )
        )
    )
    if out:
        echo(out)
