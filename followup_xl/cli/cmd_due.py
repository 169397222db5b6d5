"""`followup-xl due`: who must be called, by when, and why."""

from __future__ import annotations

import click

from .. import api
from ..io.write.due import STATUS
from ..messages import localize, render
from .common import (
    as_of_option,
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


@click.command("due")
@click.argument("book", type=click.Path(dir_okay=False))
@as_of_option
@click.option("--owner", default=None, help="Only this person's follow-ups. 只看某位负责人。")
@output_option("Write the 待回访 workbook here (.xlsx). 输出待回访工作簿。")
@click.option(
    "--mask-phones",
    is_flag=True,
    help="Mask phone numbers (138****1234) in the output. 隐藏电话中间位。",
)
@policy_option
@lang_option
@json_option
@guarded
def due(book, as_of, owner, out, mask_phones, policy_path, lang, as_json):
    """List open follow-ups of a staff book or master: overdue, due today, upcoming, missed.

    待回访清单：每项写明规则（P1–P15）、应回访日期、逾期天数和原因。
    投诉和未解决问题逾期超过上报天数的标“上报”，排在最前；过了回访有效期的列入“逾期未办”，不再排期。
    Due dates fall on mainland working days (调休 included) and move before holidays.
    """
    result = api.due(
        book,
        out,
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
    active = result.active()
    mark = render("due.escalate_mark", lang)
    label = STATUS[lang]
    for i in active[:40]:
        flag = mark if i.escalate else ""
        hint = localize(i.hint, lang)
        echo(
            f"{i.due_date.isoformat()}  {label[i.status]:<8} {flag:<4} {i.rule:<4} {i.customer_id:<8} "
            f"{i.owner or '':<6} {localize(i.reason, lang)}"
            + (render("due.hint", lang, hint=hint) if hint else "")
        )
    if len(active) > 40:
        echo(render("due.more", lang, more=len(active) - 40))
    n, total = result.counts, len(result.items)
    echo(
        render(
            "due.summary",
            lang,
            total=total,
            overdue=n["overdue"],
            escalate=n["escalate"],
            due=n["due"],
            upcoming=n["upcoming"],
            missed=n["missed"],
        )
    )
    if out:
        echo(out)
