"""`followup-xl merge`: everyone's workbooks into one master."""

from __future__ import annotations

import sys

import click

from .. import api
from .common import echo, as_of_option, emit_json, guarded, json_option, lang_option, progress


@click.command("merge")
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False),
              help="The master workbook to write (.xlsx). 汇总总表。")
@click.option("--strict", is_flag=True, help="Write nothing if any input fails. 任一文件出错则不写总表。")
@as_of_option
@lang_option
@json_option
@guarded
def merge(inputs, out, strict, as_of, lang, as_json):
    """Merge staff workbooks (files and folders) into one master.  合并员工工作簿为总表。

    \b
    Folders are searched for .xlsx/.xlsm; Excel lock files (~$…), hidden and
    temporary files are ignored and listed. A previous master may be an input.
    Duplicates are kept once; clashes (same id, different details; same phone,
    two ids) go to the 冲突 sheet. Inputs are never modified; the master is
    written atomically.
    Exit: 0 all merged; 1 master written but some inputs failed (with --strict:
    nothing written); 2 nothing could be read.
    """
    with progress(lang, enabled=not as_json) as bar:
        files = bar.add_task("读取文件 files" if lang == "zh" else "files", total=None)
        rows = bar.add_task("写入行 rows" if lang == "zh" else "rows", total=None)

        def tick(kind, n):
            bar.advance(files if kind == "file" else rows, n)

        result = api.merge(list(inputs), out, strict=strict, lang=lang, as_of=as_of, on_progress=tick)
    code = result.pop("exit_code")
    if as_json:
        emit_json(result)
    else:
        for i in result["inputs"]:
            mark = {"merged": "✓", "ignored": "-", "error": "✗"}[i["status"]]
            note = i.get("error") or i.get("note") or f'{i["customers"]} / {i["calls"]} / {i["events"]}'
            echo(f"{mark} {i['path']}  {note}")
        zh = lang == "zh"
        echo((f"总表：客户 {result['customers']}，回访记录 {result['calls']}，事项 {result['events']}；"
                    f"重复去掉 {result['duplicates_dropped']}，冲突 {len(result['conflicts'])}") if zh else
                   (f"master: {result['customers']} customers, {result['calls']} calls, {result['events']} events; "
                    f"{result['duplicates_dropped']} duplicates dropped, {len(result['conflicts'])} conflicts"))
        echo((out if result["written"] else ("未写入总表" if zh else "no master written")))
    sys.exit(code)
