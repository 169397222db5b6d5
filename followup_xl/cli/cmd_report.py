"""`followup-xl report`: the monthly report (客户回访月报)."""

from __future__ import annotations

import click

from .. import api
from ..messages import render
from ..report import shift_month
from .common import (
    as_of_option,
    echo_warnings,
    emit_json,
    guarded,
    json_option,
    lang_option,
    month_option,
    output_option,
    policy_option,
    today,
)


@click.command("report")
@click.argument("book", type=click.Path(dir_okay=False))
@month_option
@as_of_option
@output_option("Write the 客户回访月报 workbook here. 输出月报。")
@click.option(
    "--mask-phones", is_flag=True, help="Mask phone numbers in the report. 隐藏电话中间位。"
)
@policy_option
@lang_option
@json_option
@guarded
def report(book, month, as_of, out, mask_phones, policy_path, lang, as_json):
    """The monthly report: planned, done and successful follow-ups, satisfaction, targets.

    月报：本月应回访数量、实施回访数量及百分比、成功回访数量及百分比、满意度、客户反映问题、
    投诉/维修/活动回访率是否达标、技术咨询回访、投诉责任对象、与上月及去年同月对比，附图表。
    """
    as_of = as_of or today()
    month = month or shift_month(f"{as_of:%Y-%m}", -1)
    result = api.report(
        book,
        out,
        month=month,
        as_of=as_of,
        policy_path=policy_path,
        mask_phones=mask_phones,
        lang=lang,
    )
    if as_json:
        emit_json(result, lang)
        return
    r = result.figures
    echo_warnings(r["warnings"], lang)

    def pct(v):
        return "—" if v is None else f"{v}%"

    click.echo(
        render(
            "report.summary",
            lang,
            month=r["month"],
            planned=r["planned"],
            done=r["done"],
            done_pct=pct(r["done_pct"]),
            successful=r["successful"],
            successful_pct=pct(r["successful_pct"]),
            satisfaction=r["satisfaction_avg"] or "—",
        )
    )
    for c in r[
        "coverage_by_rule"
    ]:  # every rule of 回访规则 with a target (P2–P4, P7, the office's)
        if c["met"] is False:
            click.echo(
                render(
                    "report.rule_target_missed",
                    lang,
                    rule=c["rule"],
                    name=c["name"],
                    actual=pct(c["actual_pct"]),
                    target_pct=c["target_pct"],
                    planned=c["planned"],
                    done=c["done"],
                )
            )
    if out:
        click.echo(out)
