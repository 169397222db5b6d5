"""`followup-xl doctor`: is this PC set up for the 校验 button (and --fix the user's xlwings.conf)."""

from __future__ import annotations

import sys

import click

from .. import api
from ..doctor import FAIL, MANUAL, OK
from ..messages import localize, render
from .common import emit_json, guarded, json_option, lang_option, plain

MARKS = {OK: "√", FAIL: "×", "warn": "!", MANUAL: "□"}  # in GBK, so a cp936 console shows them


@click.command("doctor")
@click.argument("book", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--fix",
    is_flag=True,
    help="Write this Python and the worksheet functions into the user's xlwings.conf. "
    "把本机 Python 写入用户的 xlwings.conf。",
)
@lang_option
@json_option
@guarded
def doctor(book, fix, lang, as_json):
    """Check this PC for the 校验 button: Python, xlwings, the Python the button starts.

    检查本机能否使用工作簿里的校验按钮：Python 版本、xlwings 版本、按钮会启动哪个 Python
    （工作簿的 xlwings.conf 表、用户的 xlwings.conf、PATH）、给出 BOOK 时工作簿的制作版本；
    Excel 里只能由人查看的设置（信任对 VBA 工程的访问、启用宏、解除锁定）列出在哪里点。

    \b
    Exit: 0 ready; 1 something to fix (the lines marked × say what); 2 BOOK unreadable.
    """
    result = api.doctor(book, fix=fix)
    if as_json:
        emit_json(
            {
                "ready": not result.failed,
                "fixed": result.fixed,
                "python": result.environment.executable if result.environment else None,
                "checks": [
                    {
                        "check": c.key,
                        "status": c.status,
                        "message": localize(c.said, lang),
                        "fix": localize(c.fix, lang) if c.fix else None,
                    }
                    for c in result.checks
                ],
            },
            lang,
        )
        sys.exit(result.exit_code)
    if result.fixed:
        click.echo(render("doctor.fixed", lang, conf=result.fixed))
    manual = [c for c in result.checks if c.status == MANUAL]
    for c in result.checks:
        if c.status == MANUAL:
            continue
        click.echo(f"{MARKS[c.status]} {plain(localize(c.said, lang))}")
        if c.fix and c.status != OK:
            click.echo(f"    → {plain(localize(c.fix, lang))}")
    click.echo(render("doctor.manual_heading", lang))
    for c in manual:
        click.echo(f"{MARKS[MANUAL]} {plain(localize(c.said, lang))}")
        if c.fix:
            click.echo(f"    → {plain(localize(c.fix, lang))}")
    click.echo(
        render("doctor.summary_fail", lang, n=len(result.failed))
        if result.failed
        else render("doctor.summary_ok", lang)
    )
    sys.exit(result.exit_code)
