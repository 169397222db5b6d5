"""`followup-xl weekly`: the Monday summary of a week per person."""

from __future__ import annotations

import click

from .. import api
from .common import (
    as_of_option,
    date_option,
    echo,
    emit_json,
    guarded,
    json_option,
    lang_option,
    policy_option,
    today,
    xlsx_output,
)


@click.command("weekly")
@click.argument("book", type=click.Path(dir_okay=False))
@date_option(
    "--week-of",
    "Any day of the week to summarise (default: the last week ended by --as-of). "
    "周报所在周任一天。",
)
@as_of_option
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False),
    default=None,
    callback=xlsx_output,
    help="Write the 周报 workbook here (.xlsx). 输出周报。",
)
@policy_option
@lang_option
@json_option
@guarded
def weekly(book, week_of, as_of, out, policy_path, lang, as_json):
    """Summarise a week per person (the Monday 周报): deals, new customers, calls, visits.

    周报：成交量、新增客户、回访记录及结果、约访是否达标、技术咨询回访（对照周目标）、周末逾期数；
    另附在施及本周竣工工程（周例会材料）。周一放假时提前至周日报送，标题行注明。
    """
    result = api.weekly(
        book, week_of, out=out, policy_path=policy_path, lang=lang, as_of=as_of or today()
    )
    if as_json:
        emit_json(result, lang)
        return
    zh = lang == "zh"
    w = result.week
    echo(
        f"{w.week_start.isoformat()} – {w.week_end.isoformat()}  "
        + (f"报送日 {w.report_day.isoformat()}" if zh else f"due {w.report_day.isoformat()}")
    )
    for r in w.by_owner:
        if zh:
            echo(
                f"{r['owner']:<8} 成交 {r['deals']:>3}  新增 {r['new_customers']:>3}  回访 {r['calls']:>4}  "
                f"约访 {r['appointments']}  咨询 {r['consultation_followups']}  逾期 {r['overdue']}"
            )
        else:
            echo(
                f"{r['owner']:<8} deals {r['deals']:>3}  new {r['new_customers']:>3}  calls {r['calls']:>4}  "
                f"visits {r['appointments']}  consultations {r['consultation_followups']}  "
                f"overdue {r['overdue']}"
            )
    if out:
        echo(out)
