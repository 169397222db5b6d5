"""`followup-xl init`: a blank staff workbook."""

from __future__ import annotations

import os

import click

from .. import api
from .common import emit_json, guarded, json_option, lang_option


@click.command("init")
@click.argument("folder", type=click.Path(file_okay=False))
@lang_option
@click.option(
    "--owner",
    default=None,
    help="Whose workbook it is: names the file (张伟_客户回访.xlsx) and the home sheet. 负责人姓名（用作文件名）。",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace a workbook of the same name (its data is lost). 覆盖同名工作簿。",
)
@click.option(
    "--macro/--no-macro",
    default=False,
    help="Also write the .xlsm with the 校验 button. 同时生成带按钮的 .xlsm。",
)
@click.option(
    "--manager",
    is_flag=True,
    help="Write the manager's 回访管理台.xlsm (buttons for the week) instead. 生成经理用的回访管理台。",
)
@json_option
@guarded
def init(
    folder: str,
    lang: str,
    owner: str | None,
    force: bool,
    macro: bool,
    manager: bool,
    as_json: bool,
) -> None:
    """Write a blank staff workbook into FOLDER.  生成空白的员工工作簿。

    Every sheet is an Excel Table with a styled, frozen header, dropdown lists for
    every enumerated column, date formats, and colours that show overdue next-call
    dates in red and today's in amber even without Python. An existing workbook of
    the same name is never overwritten without --force.
    """
    os.makedirs(folder, exist_ok=True)
    paths = (
        api.init_manager(folder, lang=lang, force=force)
        if manager
        else api.init_workbook(folder, lang=lang, owner=owner, macro=macro, force=force)
    )
    if as_json:
        emit_json({"written": paths})
    else:
        for p in paths:
            click.echo(p)
