"""`followup-xl rollup`: the region's month, every office side by side, from exported Parquet."""

from __future__ import annotations

import click

from .. import api
from ..messages import render
from ..report import shift_month
from .common import (
    echo_warnings,
    emit_json,
    guarded,
    json_option,
    lang_option,
    output_option,
    today,
)
from .usage import LocalizedUsageError


@click.command("rollup")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option(
    "--month", metavar="YYYY-MM", default=None, help="The month (default: last month). 月份。"
)
@output_option("Write the 区域汇总 workbook here (.xlsx). 输出区域汇总。")
@click.option(
    "--engine",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="duckdb: this machine, streamed (1,000 offices measured); spark: the same SQL on Spark "
    "(followup-xl[spark], Java 17). 计算引擎：本机 DuckDB，或 Spark 集群。",
)
@click.option(
    "--spark-master",
    metavar="URL",
    default=None,
    help="The Spark cluster (spark://host:7077, yarn, k8s://…; default local[*]). Spark 集群地址。",
)
@lang_option
@json_option
@guarded
def rollup(folder, month, out, engine, spark_master, lang, as_json):
    """Compare offices for a month: the figures of `report`, per office, ranked, with a chart.

    区域汇总：读取 FOLDER 中各单位 export 导出的 Parquet（DuckDB 计算，无需安装或启动服务），
    每个单位一行：应回访、实施及百分比、成功及百分比、满意度、投诉/维修/活动回访率、月末逾期；
    排名和图表。口径与 report 相同；SQL 在 followup_xl/data/sql/rollup_month.sql。
    """
    month = month or shift_month(f"{today():%Y-%m}", -1)
    if spark_master and engine != "spark":
        raise LocalizedUsageError("option.spark_master_without_spark")
    r = api.rollup(folder, out, month=month, engine=engine, spark_master=spark_master, lang=lang)
    echo_warnings(r.warnings, lang)
    if as_json:
        emit_json(r, lang)
        return

    def pct(v):
        return "—" if v is None else f"{v}%"

    for o in r.offices:
        click.echo(
            render(
                "rollup.office_line",
                lang,
                rank=o["rank"],
                office=o["office"],
                planned=o["planned"],
                done=o["done"],
                done_pct=pct(o["done_pct"]),
                successful=o["successful"],
                successful_pct=pct(o["successful_pct"]),
                overdue_at_month_end=o["overdue_at_month_end"],
            )
        )
    if out:
        click.echo(out)
