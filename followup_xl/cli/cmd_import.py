"""`followup-xl import`: an office's existing tracker into a staff workbook in our template."""

from __future__ import annotations

import sys

import click

from .. import api
from ..messages import render, table
from .common import as_of_option, emit_json, guarded, json_option, lang_option, output_option

LAYOUT = table("import.layout")  # how each sheet was read, in words


# what the importer filled in (importing.Importer._assume), as the text output says it
ASSUMED = {
    "customers.customer_id": "import.assumed_customer_id",
    "customers.name+phone split": "import.assumed_name_phone",
    "customers.phone+local_area_code": "import.assumed_area_code",
    "customers.owner": "import.assumed_owner",
    "customers.date_year": "import.assumed_customer_year",
    "calls.call_date_year": "import.assumed_year",
    "events.date_year": "import.assumed_event_year",
    "calls.method": "import.assumed_method",
    "calls.call_type": "import.assumed_call_type",
    "calls.caller": "import.assumed_caller",
    "calls.content": "import.assumed_content",
}


@click.command("import")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@output_option(
    "The staff workbook to write (.xlsx, or .xlsm with the 校验 button). 输出的员工工作簿。",
    required=True,
    xlsx=False,
)
@click.option(
    "--owner", default=None, help="负责人/回访人 for rows that name none. 未写负责人时用此人。"
)
@click.option(
    "--map",
    "map_path",
    type=click.Path(dir_okay=False),
    default=None,
    help='TOML: [columns] "原表列名" = "字段" for headers the aliases miss. 列名映射文件。',
)
@click.option(
    "--preview",
    is_flag=True,
    help="Write only what import would do (-o 导入预览.xlsx: columns, rows, duplicates) and a "
    "mapping file to edit for --map; import nothing. 只预览，不导入。",
)
@click.option(
    "--area-code",
    default=None,
    help="The office's area code (本地区号, e.g. 0755): a 7-8 digit number is its landline. "
    "本地区号。",
)
@click.option(
    "--as-calls",
    is_flag=True,
    help="A list of transactions (one row per purchase): read every row as a call of the "
    "customer it names. 交易记录按回访读入。",
)
@click.option(
    "--into",
    type=click.Path(dir_okay=False),
    default=None,
    help="A master (总表.xlsx) to import into: customers matched by id and phone, -o is the new "
    "master, edits held for approval (待批准) by its rules. 导入到已有总表。",
)
@as_of_option
@lang_option
@json_option
@guarded
def import_(inputs, out, owner, map_path, preview, area_code, as_calls, into, as_of, lang, as_json):
    """Bring an existing tracker in (.xlsx/.xls/.ods/.csv).  导入原有的回访台账。

    \b
    Sheets the reader recognises are taken as they are; hand-made layouts are
    understood: one row per customer with repeated call columns (回访日期1/回访内容1…,
    第一次回访/第二次回访…) become one call row each; one sheet per month of calls;
    a customer cell holding "name + phone". Columns that map to nothing are kept as
    the office's own columns and listed; every source row is imported or listed as
    skipped with its reason. How a call was made (电话 unless its notes say 上门/微信…),
    its type (例行) and who made it (the customer's 负责人 or --owner) are filled in
    when the tracker never says, and counted under "assumed"; a call date typed without
    its year (11.26, 11月26日) is the latest such day up to --as-of, and said.
    Two rows are one customer only on evidence: the same id, or the same phone;
    the same name with another phone is another customer, and the same name
    without a phone is kept apart and listed for review. --preview first writes
    what would happen, per column and per row, and a mapping file for --map.
    Next step: followup-xl validate NEW.xlsx.
    Exit: 0 written; 2 an input cannot be read; 3 a bad option, map file or output.
    """
    result = api.import_tracker(
        list(inputs),
        out,
        owner=owner,
        map_path=map_path,
        area_code=area_code,
        as_calls=as_calls,
        preview=preview,
        into=into,
        as_of=as_of,
        lang=lang,
    )
    if as_json:
        emit_json(result, lang)
    else:
        for sheet, layout in result.sheets.items():
            click.echo(f"  {sheet}: {LAYOUT[lang][layout]}")  # JSON keeps the codes
        click.echo(
            render(
                "import.preview_summary" if result.preview else "import.summary",
                lang,
                customers=result.customers,
                calls=result.calls,
                events=result.events,
                n_skipped=len(result.skipped),
            )
        )
        for s in result.skipped[:50]:
            click.echo(
                render(
                    "import.skipped_row",
                    lang,
                    sheet_name=s["sheet"],
                    row=s["row"],
                    reason=s["reason"],
                )
            )
        for key, n in result.assumed.items():
            if key in ASSUMED:  # what was filled in because the tracker never said it
                click.echo(render(ASSUMED[key], lang, n=n))
        if result.unmapped_columns:
            columns = render("sep.list", lang).join(result.unmapped_columns)
            click.echo(render("import.kept_columns", lang) + columns)
        for note in result.notes:
            click.echo(note.render(lang))
        if result.possible_duplicates:
            click.echo(render("import.review_count", lang, n=result.possible_duplicates))
        if result.merge is not None:
            m = result.merge
            click.echo(
                render(
                    "import.into_done",
                    lang,
                    master=m.master,
                    customers=m.customers,
                    changes=len(m.changes),
                    pending=m.pending,
                )
            )
        elif result.preview:
            click.echo(
                render(
                    "import.preview_written", lang, output=result.output, map_file=result.map_file
                )
            )
        else:
            click.echo(result.output)
            click.echo(render("import.next_step", lang, output=result.output))
    sys.exit(0)
