"""`followup-xl merge`: everyone's workbooks into one master."""

from __future__ import annotations

import sys

import click

from .. import api
from ..merge import Change, field_label, plain
from ..messages import localize, message, render
from .common import (
    date_option,
    echo,
    echo_warnings,
    emit_json,
    guarded,
    json_option,
    lang_option,
    output_option,
    progress,
)


@click.command("merge")
@click.argument("inputs", nargs=-1, type=click.Path())
@output_option("The master workbook to write (.xlsx). 汇总总表。", required=True)
@click.option(
    "--strict", is_flag=True, help="Write nothing if any input fails. 任一文件出错则不写总表。"
)
@click.option(
    "--master",
    "masters",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Last week's master: the base of the merge (with its 历史档案). Only a master named here, "
    "or named as a file and carrying this office's stamp, is ever the base. "
    "上周总表：合并的底稿（连同历史档案）；收件箱里的文件不会被当作底稿。",
)
@date_option(
    "--as-of",
    help="The merge's date (default: today): 修改记录 and 待批准 are dated with it, and the lock "
    "period of old calls counts back from it. 合并日期：写入修改记录，锁定期由此倒算。",
)
@lang_option
@json_option
@guarded
def merge(inputs, out, strict, masters, as_of, lang, as_json):
    """Merge staff workbooks (files and folders) into one master.  合并员工工作簿为总表。

    \b
    Folders are searched for .xlsx/.xlsm/.xls/.xlsb/.ods and .csv (.et and
    .numbers get a sentence saying how to save them); Excel lock files (~$…), hidden and
    temporary files are ignored and listed. Last week's master (--master) is the
    base: a book split sent changes only what its person changed since it was
    sent (three-way, field by field), listed in 修改记录. Held in 待批准 (write
    是/否 in 批准 and merge again): edits to reviewed or locked calls, rows deleted
    in a book, a value the master also changed since, edits from an older book,
    and reverts or failing values from a book split did not send. A file merged
    before (same SHA-256) changes nothing. Rules, staff and holidays come from
    the master only.
    Clashes go to the 冲突 sheet. Inputs are never modified; the master is
    written atomically.
    Exit: 0 all merged; 1 master written but some inputs failed (with --strict:
    nothing written); 2 nothing could be read.
    """
    if not inputs and not masters:
        raise click.UsageError("Missing argument 'INPUTS...' (or --master).")
    with progress(lang, enabled=not as_json) as bar:
        files = bar.add_task(render("merge.files", lang), total=None)
        rows = bar.add_task(render("merge.rows", lang), total=None)

        def tick(kind, n):
            bar.advance(files if kind == "file" else rows, n)

        result = api.merge(
            list(inputs),
            out,
            strict=strict,
            as_of=as_of,
            on_progress=tick,
            masters=list(masters),
            lang=lang,
        )
    if as_json:
        emit_json(result, lang)
    else:
        echo_warnings(
            [localize(w, lang) for w in result.warnings]
            + [m.message(lang) for m in result.tampered],
            lang,
        )
        if result.base is not None:
            echo(
                render(
                    "merge.base_line",
                    lang,
                    path=result.base["path"],
                    generation=result.base["generation"] or "?",
                )
            )
        for i in result.inputs:
            mark = {"merged": "√", "ignored": "-", "error": "×"}[i["status"]]  # in GBK too
            note = (
                i.get("error")
                or i.get("note")
                or render(
                    "merge.input_counts",
                    lang,
                    customers=i["customers"],
                    calls=i["calls"],
                    events=i["events"],
                )
            )
            echo(f"{mark} {i['path']}  {note}")
        echo(
            render(
                "merge.summary",
                lang,
                customers=result.customers,
                calls=result.calls,
                events=result.events,
                duplicates_dropped=result.duplicates_dropped,
                n_conflicts=len(result.conflicts),
            )
        )
        for ch in result.changes:
            echo(change_line(ch, lang))
        if result.pending:
            echo(render("merge.edits_wait_for_approval", lang, pending=result.pending))
        if result.written and result.generation:
            echo(
                render("merge.written", lang, path=out, generation=result.generation["generation"])
            )
        else:
            echo(render("merge.no_master_written", lang))
    sys.exit(result.exit_code)


STATUS = {
    "applied": message("change.applied"),
    "pending": message("change.pending"),
    "approved": message("change.approved"),
    "refused": message("change.refused"),
    "deleted": message("change.deleted_in_book_kept"),
    "added": message("change.added"),
}


def change_line(ch: Change, lang: str) -> str:
    """One printed line per change: status, record, field old → new, where from."""
    from ..io.master.changelog import KINDS

    status = STATUS[ch.status].render(lang)
    what = f"{KINDS[ch.kind].render(lang)} {ch.id}"
    if ch.field:
        old, new = plain(ch.old), plain(ch.new)
        header = localize(field_label(ch.kind, ch.field), lang)
        what += f" {header}: {old if old is not None else ''} → {new if new is not None else ''}"
    why = f" — {localize(ch.reason, lang)}" if ch.reason else ""
    return f"  [{status}] {what}  ({localize(ch.source, lang)}){why}"
