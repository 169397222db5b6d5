"""`followup-xl verify`: rows of a master edited by hand after it was written."""

from __future__ import annotations

import sys

import click

from .. import api
from ..messages import render
from .common import emit_json, guarded, json_option, lang_option


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
    its cell. Exit: 0 every row matches; 1 some rows changed.
    """
    result = api.verify(master, lang=lang)
    if as_json:
        emit_json(result, lang)
    else:
        for m in result.mismatches:
            click.echo(m.message(lang))
        n = len(result.mismatches)
        click.echo(render("verify.summary", lang, checked=result.checked, n=n))
    sys.exit(result.exit_code)
