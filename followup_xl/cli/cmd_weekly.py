"""`followup-xl weekly`: the Monday summary of a week per person."""

from __future__ import annotations

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


@click.command("weekly")
@click.argument("book", type=click.Path(dir_okay=False))
@date_option(
    "--week-of",
    "Any day of the week to summarise (default: the last week ended by --as-of). "
    "周报所在周任一天。",
)
@as_of_option
@output_option("Write the 周报 workbook here (.xlsx). 输出周报。")
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
        book, out, week_of=week_of, as_of=as_of or today(), policy_path=policy_path, lang=lang
    )
    if as_json:
        emit_json(result, lang)
        return
    w = result.week
    echo_warnings(w.notes, lang)
    echo(
        f"{w.week_start.isoformat()} – {w.week_end.isoformat()}  "
        + (render("weekly.due", lang, report_day=w.report_day.isoformat()))
    )
    for r in w.by_owner:
        echo(
            render(
                "weekly.owner_line",
                lang,
                owner=r["owner"],
                deals=r["deals"],
                new_customers=r["new_customers"],
                calls=r["calls"],
                appointments=r["appointments"],
                consultation_followups=r["consultation_followups"],
                overdue=r["overdue"],
            )
        )
    if out:
        echo(out)
