"""`followup-xl verify`: rows of a master edited by hand after it was written."""

from __future__ import annotations

import sys

import click

from .. import api
from ..messages import render
from .common import echo_warnings, emit_json, guarded, json_option, lang_option, plain


@click.command("verify")
@click.argument("master", type=click.Path(dir_okay=False))
@lang_option
@json_option
@guarded
def verify(master, lang, as_json):
    """Check a master for hand edits made after it was written.  检查总表写出后是否被手工改过。

    \b
    Every customer, call and trigger row of a master carries a 校验码 (check
    code) of its content; a row whose content no longer matches is listed with
    its cell. A master written by this version also keeps, on a hidden sheet
    its signed stamp vouches for, what it was written with: verify lists every
    deleted or inserted row, cleared 校验码 (or its deleted column), edited
    provenance cell (来源文件/来源工作表/来源行) and edit to 人员/规则/节假日,
    with the old and new value (the office key in the master's folder is
    needed; without it a warning says what could not be checked).
    Exit: 0 nothing changed; 1 something changed.
    """
    result = api.verify(master, lang=lang)
    if as_json:
        emit_json(result, lang)
    else:
        for m in result.mismatches:
            click.echo(plain(m.message(lang)))
        edited = sum(1 for m in result.mismatches if m.finding == "row_edited")
        click.echo(render("verify.summary", lang, checked=result.checked, n=edited))
        if result.whole_master:
            whole = len(result.mismatches) - edited
            click.echo(render("verify.whole_checked", lang, n=whole))
        echo_warnings(result.warnings, lang)
    sys.exit(result.exit_code)
