"""`followup-xl export`: masters as Parquet for DuckDB, Spark or any engine that reads it."""

from __future__ import annotations

import click

from .. import api
from ..messages import render
from .common import (
    as_of_option,
    echo_warnings,
    emit_json,
    guarded,
    json_option,
    lang_option,
    output_option,
    policy_option,
    today,
)


@click.command("export")
@click.argument("masters", nargs=-1, required=True, type=click.Path(dir_okay=False))
@output_option(
    "Folder for the Parquet datasets (created if missing). 输出文件夹。", required=True, folder=True
)
@click.option(
    "--office", default=None, help="The office's name (default: the master's file name). 单位名称。"
)
@click.option(
    "--month",
    "months",
    multiple=True,
    metavar="YYYY-MM",
    help="Also write the obligations as of this month's end (repeatable; the month before --as-of "
    "always is). 另存该月末的应回访快照，可重复。",
)
@click.option(
    "--with-phones", is_flag=True, help="Keep phone numbers (default: masked). 保留完整电话号码。"
)
@as_of_option
@policy_option
@lang_option
@json_option
@guarded
def export(masters, out, office, months, with_phones, as_of, policy_path, lang, as_json):
    """Write masters' customers, calls, events, staff and obligations as Parquet.

    导出为 Parquet：每张表一个数据集，按单位和年份分区（hive 目录 office=…/year=…），
    日期为日期类型，含来源列；电话默认隐藏中间位。同一总表再次导出得到相同文件；
    新一周只替换有变化的分区。应回访（obligations）按计算日分区：--as-of 当天和上月末。
    """
    r = api.export(
        list(masters),
        out,
        office=office,
        as_of=as_of or today(),
        months=list(months),
        with_phones=with_phones,
        policy_path=policy_path,
        lang=lang,
    )
    if as_json:
        emit_json(r, lang)
        return
    for o in r.offices:
        echo_warnings(o["warnings"], lang)
        t = o["tables"]
        changed = sum(v.get("written", 0) for v in t.values())
        click.echo(
            render(
                "export.office_line",
                lang,
                office=o["office"],
                customers=t["customers"]["rows"],
                calls=t["calls"]["rows"],
                events=t["events"]["rows"],
                obligations=t["obligations"]["rows"],
                changed=changed,
            )
        )
    click.echo(r.output)
