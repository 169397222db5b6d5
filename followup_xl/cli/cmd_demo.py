"""`followup-xl demo`: run the main job on the bundled example office."""

from __future__ import annotations

import click

from ..demo.run import run_demo
from ..messages import render
from .common import emit_json, guarded, json_option, lang_option


@click.command("demo")
@click.argument("out_dir", type=click.Path(file_okay=False), default="demo-out")
@lang_option
@json_option
@guarded
def demo(out_dir: str, lang: str, as_json: bool) -> None:
    """Run the whole job on the example office and write real workbooks into OUT_DIR.

    演示：用自带的示例单位数据跑完整流程，结果工作簿写入 OUT_DIR。
    """
    run = run_demo(out_dir, lang, echo=None if as_json else click.echo)
    if as_json:
        emit_json({"out": out_dir, "as_of": run.as_of, "written": run.written, "log": run.log})
    else:
        click.echo(render("demo.files", lang, out_dir=out_dir, n_written=len(run.written)))
