"""`followup-xl validate`: the entry checks, as the workbook button runs them."""

from __future__ import annotations

import os
import sys

import click

from .. import api
from ..messages import labels, localize, render
from .common import (
    as_of_option,
    echo_warnings,
    emit_json,
    guarded,
    json_option,
    lang_option,
    markup_safe,
    policy_option,
    today,
    xlsx_output,
)

SHOWN = 200  # findings listed in the terminal; --json and --annotate give them all


@click.command("validate")
@click.argument("book", type=click.Path(dir_okay=False))
@as_of_option
@click.option(
    "--annotate",
    "annotate_to",
    type=click.Path(dir_okay=False),
    default=None,
    callback=xlsx_output,
    help="Write a copy with offending cells marked and a 问题清单 sheet. 输出标注副本。",
)
@policy_option
@lang_option
@json_option
@guarded
def validate(book, as_of, annotate_to, policy_path, lang, as_json):
    """Check a staff workbook or master: required fields, phones, dates, dropdowns…

    校验录入：必填项、电话、日期、下拉值、重复客户、投诉级别等（followup-xl rules 列出全部规则）。

    \b
    Exit: 0 no errors (warnings allowed); 1 at least one error; 2 the file cannot be read.
    The input is never modified.
    """
    result = api.validate(
        book, annotate_to, as_of=as_of or today(), policy_path=policy_path, lang=lang
    )
    echo_warnings([localize(n, lang) for n in result.annotate_notes], lang)
    if as_json:
        emit_json(result, lang)
    else:
        from rich.console import Console
        from rich.table import Table

        console = Console()
        if result.findings:
            table = Table(show_lines=False, header_style="bold")
            with_source = any(
                result.origin(f) for f in result.findings
            )  # a master: the staff book row too
            heads = tuple(labels("validate.headers", lang))
            for h in heads + (tuple(labels("validate.source_header", lang))) * with_source:
                table.add_column(h, overflow="fold")
            spec = ("severity", "file", "sheet", "cell", "code", "message", "source")
            for severity, file, sheet, cell, code, message, source in result.flatten(spec, lang)[
                :SHOWN
            ]:
                style = "red" if severity == "error" else "yellow"
                where = sheet or ""
                if file != result.file:  # a master's archive file
                    where = f"{os.path.basename(file)} › {where}"
                table.add_row(
                    markup_safe(where),
                    markup_safe(cell or ""),
                    f"[{style}]{markup_safe(code)}[/{style}]",
                    markup_safe(message),
                    *(markup_safe(source or ""),) * with_source,
                )
            console.print(table)
            if len(result.findings) > SHOWN:
                more = len(result.findings) - SHOWN
                console.print(markup_safe(render("validate.more", lang, n=more)))
        errors, warnings = len(result.errors), len(result.warnings)
        console.print(render("validate.errors_warnings", lang, errors=errors, warnings=warnings))
        if annotate_to:
            console.print(markup_safe(result.annotated))
    sys.exit(result.exit_code)
