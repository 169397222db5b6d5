"""`followup-xl due`: who must be called, by when, and why."""

from __future__ import annotations

import click

from .. import api
from .common import echo, as_of_option, echo_warnings, emit_json, guarded, json_option, lang_option, policy_option, today


@click.command("due")
@click.argument("book", type=click.Path(dir_okay=False))
@as_of_option
@click.option("--owner", default=None, help="Only this person's follow-ups. 只看某位负责人。")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), default=None,
              help="Write the 待回访 workbook here (.xlsx). 输出待回访工作簿。")
@click.option("--mask-phones", is_flag=True, help="Mask phone numbers (138****1234) in the output. 隐藏电话中间位。")
@policy_option
@lang_option
@json_option
@guarded
def due(book, as_of, owner, out, mask_phones, policy_path, lang, as_json):
    """List open follow-ups of a staff book or master: overdue, due today, upcoming.

    待回访清单：每项写明规则（P1–P15）、应回访日期、逾期天数和原因。
    Due dates fall on mainland working days (调休 included) and move before holidays.
    """
    as_of = as_of or today()
    result = api.due(book, as_of, owner=owner, out=out, lang=lang, policy_path=policy_path, mask_phones=mask_phones)
    if as_json:
        emit_json(result)
        return
    echo_warnings(result["warnings"], lang)
    counts = {s: sum(1 for i in result["items"] if i["status"] == s) for s in ("overdue", "due", "upcoming")}
    for i in result["items"][:40]:
        echo(f'{i["due_date"]}  {i["status"]:<8} {i["rule"]:<4} {i["customer_id"]:<8} {i["owner"] or "":<6} {i["reason"]}')
    if len(result["items"]) > 40:
        echo(f"… ({len(result['items']) - 40} more)")
    if lang == "zh":
        echo(f"逾期 {counts['overdue']}，今天 {counts['due']}，待回访 {counts['upcoming']}")
    else:
        echo(f"overdue {counts['overdue']}, today {counts['due']}, upcoming {counts['upcoming']}")
    if out:
        echo(out)
