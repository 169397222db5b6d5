"""`followup-xl handover`: a leaving person's customers shared out among the others."""

from __future__ import annotations

import click

from .. import api
from ..messages import localize, message, render
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
)
from .usage import LocalizedUsageError


@click.command("handover")
@click.argument("master", type=click.Path(dir_okay=False))
@click.option("--from", "leaver", required=True, help="The person who is leaving. 离职人员姓名。")
@click.option(
    "--to",
    "receivers",
    multiple=True,
    help="A receiver; repeat for several (--to 张伟 --to 王芳). With --plan, defaults to the plan's. 接收人，可重复。",
)
@output_option(
    "The new master (.xlsx); with --plan-only, the plan workbook. 新总表；配合 --plan-only 时为交接计划。",
    required=True,
)
@click.option(
    "--plan-only",
    is_flag=True,
    help="Only write the plan for approval (editable 新负责人 column); change nothing. 只生成交接计划，不做修改。",
)
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Apply this plan workbook, as edited by the manager. 按（修改后的）交接计划执行。",
)
@click.option(
    "--by",
    default=None,
    help="Who carries out the hand-over (default: the one 公司经理 in 人员; required otherwise). "
    "经办人（默认为人员表中的公司经理）。",
)
@as_of_option
@policy_option
@lang_option
@json_option
@guarded
def handover(
    master, leaver, receivers, out, plan_only, plan_path, by, as_of, policy_path, lang, as_json
):
    """Hand a leaving person's customers over to others.  离职交接。

    Customers go to whoever has the fewest (existing customers count), and each
    class (A/B/C) is shared in proportion, so nobody receives all the important
    customers; the result is deterministic. Calls, triggers and open follow-ups stay with the customer; the new
    master differs from the old only in owners, the leaver is marked 离职 in 人员,
    and a 交接记录 sheet says who moved where, when and by whom. The 交接单 written
    beside the new master lists the SMS notices (以短信形式告知顾客).
    """
    if plan_only and plan_path:
        raise LocalizedUsageError("option.plan_only_with_plan")
    result = api.handover(
        master,
        out,
        leaver=leaver,
        receivers=list(receivers),
        plan_only=plan_only,
        plan_path=plan_path,
        by=by,
        as_of=as_of,
        policy_path=policy_path,
        lang=lang,
    )
    if as_json:
        emit_json(result, lang)
        return
    echo_warnings([localize(w, lang) for w in result.warnings], lang)
    echo(
        f"{result.leaver} → {render('sep.list', lang).join(result.receivers)}  "
        + (render("handover.customers", lang, moved=result.moved))
    )
    for row in result.summary:
        classes = " ".join(f"{g}:{row[g]}" for g in ("A", "B", "C") if row[g])
        void = row.get("废除", 0)
        note = (render("handover.void_not_counted", lang, void=void)) if void else ""
        echo(
            f"  {row['receiver']}: "
            + (
                render(
                    "handover.receiver_line",
                    lang,
                    before=row["before"],
                    received=row["received"],
                    classes=classes,
                    note=note,
                    after=row["after"],
                )
            )
        )
    if plan_only:
        echo(result.plan)
    else:
        echo(result.output)
        calls = result.calls
        echo(
            (result.record or "")
            + render(
                "handover.sms_count",
                lang,
                sms=result.sms,
                by_phone=message("handover.by_phone", calls=calls) if calls else "",
            )
        )
        if result.phone_missing:
            echo(render("handover.phone_missing_count", lang, n=result.phone_missing))
